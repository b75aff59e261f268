// SPDX-License-Identifier: Apache-2.0
#pragma once

// One factory per layer family (internal): each validates its options and
// input shapes and throws before anything is allocated. make_layer()
// dispatches on the LayerOptions alternative.

#include <memory>
#include <span>

#include "framework/core/shape.h"
#include "framework/layers/layer.h"
#include "framework/layers/layer_options.h"

namespace initforge::layers_detail {

std::unique_ptr<Layer> make_linear(
    const LinearOptions& options, std::span<const Shape> inputs);
std::unique_ptr<Layer> make_conv2d(
    const Conv2dOptions& options, std::span<const Shape> inputs);

/// ReLU, LeakyReLU, Tanh, Sigmoid, GELU.
std::unique_ptr<Layer> make_eltwise(
    const LayerOptions& options, std::span<const Shape> inputs);

std::unique_ptr<Layer> make_max_pool2d(
    const MaxPool2dOptions& options, std::span<const Shape> inputs);
std::unique_ptr<Layer> make_avg_pool2d(
    const AvgPool2dOptions& options, std::span<const Shape> inputs);
std::unique_ptr<Layer> make_batch_norm2d(
    const BatchNorm2dOptions& options, std::span<const Shape> inputs);
std::unique_ptr<Layer> make_flatten(
    const FlattenOptions& options, std::span<const Shape> inputs);
std::unique_ptr<Layer> make_add(
    const AddOptions& options, std::span<const Shape> inputs);
std::unique_ptr<Layer> make_softmax(
    const SoftmaxOptions& options, std::span<const Shape> inputs);

}  // namespace initforge::layers_detail
