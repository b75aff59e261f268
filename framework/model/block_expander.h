// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: turns the "layers" array, with its block
// instances and repeats, into the flat list of layers the graph is built
// from. Names follow PyTorch's container rules (torchvision's _make_layer):
// instance "layer1" repeated 3 times gives layer1.0 .. layer1.2, and a
// block's layer "conv1" in it is layer1.0.conv1.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/model/json_cursor.h"

namespace initforge {

/// One layer of the expanded model, as a layer object of a flat config.
struct LayerSource {
  /// Full "name", every "inputs" entry a full layer name (or "input"),
  /// block arguments substituted.
  nlohmann::json layer;
  /// Where the layer is written: "/layers/3", or inside a block definition
  /// "/blocks/BasicBlock/branch/0".
  std::string pointer;
  /// "" for a layer written in "layers"; else which instance it belongs
  /// to: "layer2.0, an instance of block \"BasicBlock\" at /layers/4".
  std::string origin;
};

/// Expands root's "layers" with root's "blocks" (every block definition is
/// checked, used or not). Throws ConfigError at the definition's pointer,
/// naming the instance.
std::vector<LayerSource> expand_layers(const JsonCursor& root);

/// Letters, digits and _ not starting with a digit, or dot-separated parts
/// of those and of indices ("layer1.0.conv1").
bool valid_layer_name(std::string_view name);

/// Letters, digits and _ not starting with a digit: block, argument and
/// role names.
bool valid_identifier(std::string_view name);

}  // namespace initforge
