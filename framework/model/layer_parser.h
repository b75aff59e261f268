// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: one layer's type and hyper-parameters,
// read through the layer table (framework/layers/layer_type.h).

#include "framework/layers/layer_type.h"
#include "framework/model/json_cursor.h"

namespace initforge {

/// The type named at `type`, or ConfigError with the closest known type.
const LayerType& parse_layer_type(const JsonCursor& type);

/// Reads and checks the hyper-parameters of `layer` (an object whose keys
/// were already checked) against the type's declaration; errors point at
/// the offending key, or at the layer for a missing required one.
LayerSpec parse_layer_spec(const JsonCursor& layer, const LayerType& type);

}  // namespace initforge
