// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/generator.h"
#include "framework/core/shape.h"
#include "framework/init/args.h"
#include "framework/layers/layer_type.h"
#include "framework/model/train_config.h"

namespace initforge {

// A model config as plain structs: no JSON types here. Every element keeps
// the JSON pointer it came from so later checks (schemes, shapes) can report
// "file: /pointer: what".

/// "from": values loaded from a tensor of a safetensors file instead of
/// drawn by a scheme.
struct LoadSpec {
  std::filesystem::path file;  // resolved against the config's directory
  std::string file_text;       // as written, for messages and manifests
  std::string tensor;          // "tensor"; "" means the parameter's path
  /// A rule's "missing": "init": a parameter the file lacks falls through
  /// to the next rule or its default; otherwise ("error") that is an error.
  bool missing_falls_through = false;
  bool in_rule = false;  // a rule's (which may say "missing"), not a layer's
};

/// {"scheme": NAME, ARG: VALUE, ...}, or {"from": FILE, ...} (then `scheme`
/// is empty and `from` set).
struct InitSpec {
  std::string scheme;
  std::vector<std::pair<std::string, ArgValue>> args;
  std::string pointer;  // of the object, e.g. "/layers/2/init/weight"
  std::optional<LoadSpec> from;
};

/// `run --load-weights FILE`, `train --init-from FILE`: every parameter and
/// buffer whose path the file holds is loaded from it, before any config
/// init; `strict`: every one must be there, and nothing else.
struct WholeModelLoad {
  std::filesystem::path file;
  std::string flag;  // "--load-weights", for messages
  bool strict = false;
};

/// One entry of "init_rules": a glob (`*`, `?`) on the parameter path
/// ("fc1.weight") or on "<Type>.<param>" ("Linear.bias").
struct InitRule {
  std::string pattern;
  InitSpec init;
  std::string pointer;  // "/init_rules/0"
};

/// Where the batch that data-dependent schemes calibrate on comes from.
enum class CalibrationSource {
  Input,  // N(0, 1) samples: philox stream (seed, "calibration")
  Train,  // samples of the train section's dataset, by a seeded permutation
};

/// "calibration": the batch of data-dependent schemes (LSUV).
struct CalibrationConfig {
  CalibrationSource source = CalibrationSource::Input;
  std::int64_t batch_size = 256;
  std::string pointer;  // "/calibration"; "" when the config has none
};

struct LayerConfig {
  std::string name;
  LayerSpec spec;
  std::vector<std::string> inputs;  // empty: the previous layer (or input)
  std::vector<std::pair<std::string, InitSpec>> init;  // param name -> spec
  std::vector<std::string> roles;  // "roles": tags init rules match as "@role"
  std::string pointer;             // "/layers/3", or in a block definition
  /// "" for a layer written in "layers"; else the block instance it was
  /// expanded from ("layer2.0, an instance of block \"BasicBlock\" at
  /// /layers/4"), which messages about the layer name with its pointer.
  std::string origin;
};

/// " (in <origin>)" for a layer from a block, else "": appended to messages
/// that point into a block definition.
inline std::string origin_note(const LayerConfig& layer) {
  return layer.origin.empty() ? "" : " (in " + layer.origin + ")";
}

struct ModelConfig {
  std::string file;  // as given on the command line, for messages
  std::string name;
  std::uint64_t seed = 0;
  RngKind rng = RngKind::Philox;
  Shape input;                      // one sample, e.g. [1, 28, 28]
  std::vector<LayerConfig> layers;  // blocks and repeats expanded
  /// The config with blocks and repeats expanded, as JSON text with one
  /// layer per line (`validate --expanded`): full names, arguments
  /// substituted, no "blocks". A config of its own, equivalent to this one.
  std::string expanded_json;
  std::vector<InitRule> init_rules;
  /// "post_init": data-dependent schemes whose calibrate() runs on the
  /// matched parameters after their ordinary fill (same shape as a rule).
  std::vector<InitRule> post_init;
  CalibrationConfig calibration;
  /// Set by the command line, never by the config file.
  std::optional<WholeModelLoad> load_weights;
  std::vector<std::filesystem::path> plugin_paths;  // resolved
  std::optional<TrainConfig> train;                 // "train"; unset: none
  /// The whole config (a variant's: with its patch applied) as compact JSON
  /// text, recorded in a training run's summary.json.
  std::string json;
};

}  // namespace initforge
