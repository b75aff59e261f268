// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: one layer's type and hyper-parameters.

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "framework/layers/layer_options.h"
#include "framework/model/json_cursor.h"

namespace initforge {

/// Index into kLayerTypeNames, or ConfigError with the closest known type.
std::size_t parse_layer_type(const JsonCursor& type);

/// The hyper-parameter keys a type accepts (PyTorch's argument names).
std::span<const std::string_view> layer_option_keys(std::size_t type_index);

/// Reads and checks the hyper-parameters of `layer` (an object whose keys
/// were already checked) into the options of type `type_index`.
LayerOptions parse_layer_options(
    const JsonCursor& layer, std::size_t type_index);

/// The parameters a layer with these options owns, in initialization order
/// (weight before bias, as PyTorch's reset_parameters): empty for ReLU, only
/// "weight" for a Linear with bias false.
std::vector<std::string_view> layer_param_names(const LayerOptions& options);

/// The parameters a type can own with some options ("weight", "bias").
std::span<const std::string_view> layer_param_names(std::size_t type_index);

}  // namespace initforge
