// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: the 2-D pooling layer of pool2d.cpp, for the types whose
// windows come out uniform (AdaptiveAvgPool2d) as well as MaxPool2d and
// AvgPool2d.

#include <memory>
#include <string_view>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/layers/layer.h"

namespace initforge::layers_detail {

struct PoolGeometry {
  IntPair kernel;
  IntPair stride;
  IntPair padding;
};

/// A oneDNN pooling layer (forward, and backward in the incoming layout)
/// over [channels, height, width] `input` with spatial output `out`;
/// geometry and sizes already checked.
std::unique_ptr<Layer> make_pool2d_layer(
    std::string_view type,
    dnnl::algorithm algorithm,
    const PoolGeometry& geometry,
    const Shape& input,
    const IntPair& out);

}  // namespace initforge::layers_detail
