// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers of model_graph_tests: configs from JSON text or built in code
// (to reach checks the config loader already makes), and ConfigError
// capture.

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/error.h"
#include "framework/model/config.h"
#include "framework/model/config_loader.h"

#include "tests/testing/layer_options.h"

namespace initforge::testing {

/// parse_config on text, labelled "t.json".
inline ModelConfig parse(const std::string& text) {
  return parse_config(text, "t.json", std::filesystem::current_path());
}

/// A config with `layers` (JSON text) after a name and `input`.
inline ModelConfig with_layers(
    const std::string& input,
    const std::string& layers,
    const std::string& rest = "") {
  return parse(
      R"({"name": "t", "seed": 5, "input": )" + input + R"(, "layers": [)" +
      layers + "]" + rest + "}");
}

/// A layer built in code; pointers are set by config_of().
inline LayerConfig layer(
    std::string name,
    LayerOptions options,
    std::vector<std::string> inputs = {}) {
  LayerConfig l;
  l.name = std::move(name);
  l.spec = std::move(options);
  l.inputs = std::move(inputs);
  return l;
}

/// A config built in code, bypassing the loader's own checks.
inline ModelConfig config_of(Shape input, std::vector<LayerConfig> layers) {
  ModelConfig c;
  c.file = "code.json";
  c.name = "code";
  c.input = input;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    layers[i].pointer = "/layers/" + std::to_string(i);
  }
  c.layers = std::move(layers);
  return c;
}

/// The ConfigError `f` throws, as "pointer|message"; "no error" otherwise.
inline std::string config_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.pointer() + "|" + e.what();
  }
  return "no error";
}

}  // namespace initforge::testing
