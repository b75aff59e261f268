// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers of model_calibration_tests: small configs with data-dependent
// schemes, statistics and comparisons of parameters, the fixture registry.

#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/model/builder.h"
#include "framework/plugin/loader.h"

#include "tests/model/model_test_util.h"
#include "tests/testing/builtin_registry.h"

namespace initforge::testing {

/// lsuv on every Linear weight.
inline const std::string kLsuvRules =
    R"("init_rules": [{"pattern": "Linear.weight", "scheme": "lsuv"}])";
/// lsuv on every Conv2d and Linear weight, a small calibration batch.
inline const std::string kCnnLsuvRules =
    R"("init_rules": [{"pattern": "*.weight", "scheme": "lsuv"}],
       "calibration": {"batch_size": 32})";

/// Flatten-free MLP on [32]: `depth` x (Linear 64 + ReLU), then Linear 10;
/// `rest` adds top-level keys ("init_rules": ...).
inline ModelConfig deep_mlp(int depth, const std::string& rest) {
  std::string layers;
  for (int i = 1; i <= depth; ++i) {
    const std::string n = std::to_string(i);
    layers += R"({"name": "fc)" + n +
              R"(", "type": "Linear", "out_features": 64},
                 {"name": "relu)" +
              n + R"(", "type": "ReLU"},)";
  }
  layers += R"({"name": "out", "type": "Linear", "out_features": 10})";
  return with_layers("[32]", layers, rest.empty() ? "" : ", " + rest);
}

/// Conv2d 4 k3 p1, ReLU, MaxPool 2, Conv2d 8 k3 p1, ReLU, MaxPool 2,
/// Flatten, Linear 10 on [1, 12, 12].
inline ModelConfig small_cnn(const std::string& rest) {
  return with_layers(
      "[1, 12, 12]",
      R"({"name": "conv1", "type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
         {"name": "relu1", "type": "ReLU"},
         {"name": "pool1", "type": "MaxPool2d", "kernel_size": 2},
         {"name": "conv2", "type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1},
         {"name": "relu2", "type": "ReLU"},
         {"name": "pool2", "type": "MaxPool2d", "kernel_size": 2},
         {"name": "flatten", "type": "Flatten"},
         {"name": "fc", "type": "Linear", "out_features": 10})",
      ", " + rest);
}

/// fc1 (Linear 5), relu1, fc2 (Linear 3, plus `fc2_keys`) on [4].
inline ModelConfig two_layers(
    const std::string& fc2_keys, const std::string& rest = "") {
  return with_layers(
      "[4]",
      R"({"name": "fc1", "type": "Linear", "out_features": 5},
         {"name": "relu1", "type": "ReLU"},
         {"name": "fc2", "type": "Linear", "out_features": 3)" +
          (fc2_keys.empty() ? "" : ", " + fc2_keys) + "}",
      rest);
}

/// Model::build with the built-in schemes, batch 8.
inline std::unique_ptr<Model> built(ModelConfig config) {
  return Model::build(std::move(config), builtin_registry(), 8);
}

/// Population variance in double (what lsuv measures).
inline double variance(std::span<const float> v) {
  double mean = 0.0;
  for (const float x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double sq = 0.0;
  for (const float x : v) sq += (x - mean) * (x - mean);
  return sq / static_cast<double>(v.size());
}

inline bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), a.span().size_bytes()) == 0;
}

/// The rows (or, for a tall matrix, the columns) of `w` flattened to
/// [rows, cols] are orthogonal and of one common norm.
inline void expect_orthogonal_up_to_scale(const Tensor& w) {
  const std::int64_t rows = w.shape()[0];
  const std::int64_t cols = w.shape().numel() / rows;
  const bool wide = rows <= cols;
  const std::int64_t n = wide ? rows : cols, len = wide ? cols : rows;
  const auto at = [&](std::int64_t vec, std::int64_t k) {
    return static_cast<double>(
        wide ? w.data()[vec * cols + k] : w.data()[k * cols + vec]);
  };
  double norm0 = 0.0;
  for (std::int64_t k = 0; k < len; ++k) norm0 += at(0, k) * at(0, k);
  for (std::int64_t a = 0; a < n; ++a) {
    for (std::int64_t b = a; b < n; ++b) {
      double dot = 0.0;
      for (std::int64_t k = 0; k < len; ++k) dot += at(a, k) * at(b, k);
      ASSERT_NEAR(dot / norm0, a == b ? 1.0 : 0.0, 1e-4) << a << ", " << b;
    }
  }
}

/// The built-in schemes plus tests/plugin/fixtures/calibrate_fixtures.cpp.
struct FixtureRegistry {
  FixtureRegistry() {
    load_plugin_dir(INITFORGE_TEST_PLUGIN_DIR, registry);
    load_plugin(library, registry);
  }
  std::string library = (std::filesystem::path(INITFORGE_FIXTURE_DIR) /
                         "fixture_calibrate" / "libfixture_calibrate.so")
                            .string();
  Registry registry;
};

/// The PluginError of initialize (seed 1), or "no error".
inline std::string initialize_error(Model& model, bool check_finite) {
  try {
    model.initialize(RandomSource::create(RngKind::Philox, 1), check_finite);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace initforge::testing
