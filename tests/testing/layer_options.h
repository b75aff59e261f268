// SPDX-License-Identifier: Apache-2.0
#pragma once

// Typed layer specs for tests: Conv2dOptions{8, {3, 3}} reads better in a
// table of cases than an argument list, and the reference implementations
// take the fields by name. Each converts to the LayerSpec make_layer takes
// (through layer_spec, so the layer table's checks apply).

#include <cstdint>
#include <string>

#include "framework/layers/layer_type.h"

namespace initforge {

using LayerOptions = LayerSpec;

struct LinearOptions {
  std::int64_t out_features = 0;
  bool bias = true;
  operator LayerSpec() const {
    return layer_spec(
        "Linear", {{"out_features", out_features}, {"bias", bias}});
  }
};

struct Conv2dOptions {
  std::int64_t out_channels = 0;
  IntPair kernel_size{0, 0};
  IntPair stride{1, 1};
  IntPair padding{0, 0};
  IntPair dilation{1, 1};
  std::int64_t groups = 1;
  bool bias = true;
  operator LayerSpec() const {
    return layer_spec(
        "Conv2d",
        {{"out_channels", out_channels},
         {"kernel_size", kernel_size},
         {"stride", stride},
         {"padding", padding},
         {"dilation", dilation},
         {"groups", groups},
         {"bias", bias}});
  }
};

struct ReLUOptions {
  operator LayerSpec() const {
    return layer_spec("ReLU");
  }
};
struct LeakyReLUOptions {
  double negative_slope = 0.01;
  operator LayerSpec() const {
    return layer_spec("LeakyReLU", {{"negative_slope", negative_slope}});
  }
};
struct TanhOptions {
  operator LayerSpec() const {
    return layer_spec("Tanh");
  }
};
struct SigmoidOptions {
  operator LayerSpec() const {
    return layer_spec("Sigmoid");
  }
};
struct GELUOptions {
  std::string approximate = "none";
  operator LayerSpec() const {
    return layer_spec("GELU", {{"approximate", approximate}});
  }
};

struct MaxPool2dOptions {
  IntPair kernel_size{0, 0};
  IntPair stride{0, 0};  // {0, 0}: the kernel size, as PyTorch's None
  IntPair padding{0, 0};
  operator LayerSpec() const {
    return layer_spec(
        "MaxPool2d",
        {{"kernel_size", kernel_size},
         {"stride", stride},
         {"padding", padding}});
  }
};

struct AvgPool2dOptions {
  IntPair kernel_size{0, 0};
  IntPair stride{0, 0};
  IntPair padding{0, 0};
  bool count_include_pad = true;
  operator LayerSpec() const {
    return layer_spec(
        "AvgPool2d",
        {{"kernel_size", kernel_size},
         {"stride", stride},
         {"padding", padding},
         {"count_include_pad", count_include_pad}});
  }
};

struct BatchNorm2dOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  operator LayerSpec() const {
    return layer_spec("BatchNorm2d", {{"eps", eps}, {"momentum", momentum}});
  }
};

struct BatchNorm1dOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  operator LayerSpec() const {
    return layer_spec("BatchNorm1d", {{"eps", eps}, {"momentum", momentum}});
  }
};

struct LayerNormOptions {
  IntList normalized_shape;
  double eps = 1e-5;
  bool elementwise_affine = true;
  operator LayerSpec() const {
    return layer_spec(
        "LayerNorm",
        {{"normalized_shape", normalized_shape},
         {"eps", eps},
         {"elementwise_affine", elementwise_affine}});
  }
};

struct GroupNormOptions {
  std::int64_t num_groups = 1;
  double eps = 1e-5;
  bool affine = true;
  operator LayerSpec() const {
    return layer_spec(
        "GroupNorm",
        {{"num_groups", num_groups}, {"eps", eps}, {"affine", affine}});
  }
};

struct FlattenOptions {
  std::int64_t start_dim = 1;
  std::int64_t end_dim = -1;
  operator LayerSpec() const {
    return layer_spec(
        "Flatten", {{"start_dim", start_dim}, {"end_dim", end_dim}});
  }
};

struct AddOptions {
  operator LayerSpec() const {
    return layer_spec("Add");
  }
};

struct SoftmaxOptions {
  std::int64_t dim = 1;
  operator LayerSpec() const {
    return layer_spec("Softmax", {{"dim", dim}});
  }
};

struct Conv1dOptions {
  std::int64_t out_channels = 0;
  std::int64_t kernel_size = 0;
  std::int64_t stride = 1;
  std::int64_t padding = 0;
  std::int64_t dilation = 1;
  std::int64_t groups = 1;
  bool bias = true;
  operator LayerSpec() const {
    return layer_spec(
        "Conv1d",
        {{"out_channels", out_channels},
         {"kernel_size", kernel_size},
         {"stride", stride},
         {"padding", padding},
         {"dilation", dilation},
         {"groups", groups},
         {"bias", bias}});
  }
};

struct ConvTranspose2dOptions {
  std::int64_t out_channels = 0;
  IntPair kernel_size{0, 0};
  IntPair stride{1, 1};
  IntPair padding{0, 0};
  IntPair output_padding{0, 0};
  std::int64_t groups = 1;
  bool bias = true;
  IntPair dilation{1, 1};
  operator LayerSpec() const {
    return layer_spec(
        "ConvTranspose2d",
        {{"out_channels", out_channels},
         {"kernel_size", kernel_size},
         {"stride", stride},
         {"padding", padding},
         {"output_padding", output_padding},
         {"groups", groups},
         {"bias", bias},
         {"dilation", dilation}});
  }
};

struct AdaptiveAvgPool2dOptions {
  IntPair output_size{1, 1};
  operator LayerSpec() const {
    return layer_spec("AdaptiveAvgPool2d", {{"output_size", output_size}});
  }
};

struct ConcatOptions {
  std::int64_t dim = 1;
  operator LayerSpec() const {
    return layer_spec("Concat", {{"dim", dim}});
  }
};

}  // namespace initforge
