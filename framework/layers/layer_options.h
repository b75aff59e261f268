// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace initforge {

// Hyper-parameters of each layer type, with PyTorch's names and defaults.
// model/ fills them from a config; layers/ builds primitives from them.
// Input sizes (in_features, in_channels, num_features) are inferred.

using Pair = std::array<std::int64_t, 2>;  // (height, width)

struct LinearOptions {
  std::int64_t out_features = 0;
  bool bias = true;
};

struct Conv2dOptions {
  std::int64_t out_channels = 0;
  Pair kernel_size{0, 0};
  Pair stride{1, 1};
  Pair padding{0, 0};
  Pair dilation{1, 1};
  std::int64_t groups = 1;
  bool bias = true;
};

struct ReLUOptions {};
struct LeakyReLUOptions {
  double negative_slope = 0.01;
};
struct TanhOptions {};
struct SigmoidOptions {};
struct GELUOptions {
  std::string approximate = "none";  // "none" (erf) or "tanh"
};

struct MaxPool2dOptions {
  Pair kernel_size{0, 0};
  Pair stride{0, 0};  // {0, 0}: defaults to kernel_size, as PyTorch
  Pair padding{0, 0};
};

struct AvgPool2dOptions {
  Pair kernel_size{0, 0};
  Pair stride{0, 0};  // {0, 0}: defaults to kernel_size, as PyTorch
  Pair padding{0, 0};
  bool count_include_pad = true;
};

struct BatchNorm2dOptions {
  double eps = 1e-5;
  double momentum = 0.1;
};

struct FlattenOptions {
  std::int64_t start_dim = 1;
  std::int64_t end_dim = -1;
};

struct AddOptions {};  // elementwise sum of its inputs (residual)

struct SoftmaxOptions {
  std::int64_t dim = 1;  // axis of the batched tensor, as PyTorch
};

using LayerOptions = std::variant<
    LinearOptions,
    Conv2dOptions,
    ReLUOptions,
    LeakyReLUOptions,
    TanhOptions,
    SigmoidOptions,
    GELUOptions,
    MaxPool2dOptions,
    AvgPool2dOptions,
    BatchNorm2dOptions,
    FlattenOptions,
    AddOptions,
    SoftmaxOptions>;

/// PyTorch class names, in LayerOptions' alternative order.
inline constexpr std::array<std::string_view, 13> kLayerTypeNames = {
    "Linear",
    "Conv2d",
    "ReLU",
    "LeakyReLU",
    "Tanh",
    "Sigmoid",
    "GELU",
    "MaxPool2d",
    "AvgPool2d",
    "BatchNorm2d",
    "Flatten",
    "Add",
    "Softmax"};

/// The type name of the options' alternative ("Conv2d").
inline std::string_view layer_type_name(const LayerOptions& options) {
  return kLayerTypeNames[options.index()];
}

}  // namespace initforge
