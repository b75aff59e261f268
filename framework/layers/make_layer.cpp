// SPDX-License-Identifier: Apache-2.0
#include <type_traits>

#include "framework/layers/layer.h"
#include "framework/layers/layer_impls.h"

namespace initforge {

std::unique_ptr<Layer> make_layer(
    const LayerOptions& options, std::span<const Shape> input_shapes) {
  using namespace layers_detail;
  return std::visit(
      [&](const auto& o) -> std::unique_ptr<Layer> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, LinearOptions>) {
          return make_linear(o, input_shapes);
        } else if constexpr (std::is_same_v<T, Conv2dOptions>) {
          return make_conv2d(o, input_shapes);
        } else if constexpr (std::is_same_v<T, MaxPool2dOptions>) {
          return make_max_pool2d(o, input_shapes);
        } else if constexpr (std::is_same_v<T, AvgPool2dOptions>) {
          return make_avg_pool2d(o, input_shapes);
        } else if constexpr (std::is_same_v<T, BatchNorm2dOptions>) {
          return make_batch_norm2d(o, input_shapes);
        } else if constexpr (std::is_same_v<T, FlattenOptions>) {
          return make_flatten(o, input_shapes);
        } else if constexpr (std::is_same_v<T, AddOptions>) {
          return make_add(o, input_shapes);
        } else if constexpr (std::is_same_v<T, SoftmaxOptions>) {
          return make_softmax(o, input_shapes);
        } else {
          return make_eltwise(options, input_shapes);  // the activations
        }
      },
      options);
}

}  // namespace initforge
