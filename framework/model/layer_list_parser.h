// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: the "layers" array of a config.

#include <vector>

#include "framework/model/config.h"
#include "framework/model/json_cursor.h"

namespace initforge {

/// Reads every layer: unique valid names, known types (with a "did you
/// mean"), hyper-parameters, `inputs` naming "input" or earlier layers (a
/// later one is reported as such: configs list layers in order, so there are
/// no cycles) and per-parameter `init` objects.
std::vector<LayerConfig> parse_layers(const JsonCursor& layers);

}  // namespace initforge
