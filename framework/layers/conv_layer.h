// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: the convolution family (Conv1d, Conv2d, ConvTranspose2d) as
// dense layers. Each describes its geometry in oneDNN's terms; building the
// (de)convolution forward and backward primitive descriptors is shared.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/init/args.h"
#include "framework/layers/dense_layer.h"

namespace initforge::layers_detail {

enum class ConvKind { Convolution, Deconvolution };

/// One convolution in oneDNN's terms, for a given batch.
struct ConvGeometry {
  memory::dims src;      // [N, C, spatial...]
  memory::dims dst;      // [N, C', spatial'...]
  memory::dims weights;  // oneDNN's dims: [O, I, k...] or [g, O/g, I/g, k...]
  memory::dims strides;
  memory::dims dilates;  // oneDNN counts the gaps: PyTorch's dilation - 1
  memory::dims pad_l;
  memory::dims pad_r;
  std::int64_t bias_size = 0;  // 0: no bias
};

/// oneDNN's dilates from PyTorch's dilation: both count differently.
memory::dims onednn_dilates(const memory::dims& dilation);

// The family's hyper-parameters, declared once. `spatial` is 1 for Conv1d
// (integers) and 2 for the 2-D layers (int_pairs, [height, width]).

/// out_channels, required, >= 1.
ArgSpec conv_out_channels();
/// kernel_size, required, in [1, kMaxSpatialOption].
ArgSpec conv_kernel_size(int spatial);
/// stride, padding, output_padding or dilation: default `value` on every
/// axis, in [least, kMaxSpatialOption].
ArgSpec conv_spatial(
    int spatial,
    std::string name,
    std::int64_t value,
    std::int64_t least,
    std::string doc);
/// groups (default 1, >= 1) and bias (default true).
ArgSpec conv_groups();
ArgSpec conv_bias();
/// Conv1d's and Conv2d's list in PyTorch's order: out_channels,
/// kernel_size, stride, padding, dilation, groups, bias.
std::vector<ArgSpec> conv_args(int spatial);

/// The options all three share, read from bound args; `Spatial` is
/// std::int64_t for Conv1d and IntPair for the 2-D layers.
template <class Spatial>
struct ConvOptions {
  std::int64_t out_channels = 0;
  Spatial kernel_size{};
  Spatial stride{};
  Spatial padding{};
  Spatial dilation{};
  std::int64_t groups = 1;
  bool bias = true;

  static ConvOptions read(const Args& a) {
    const auto get = [&a](const char* name) {
      if constexpr (std::is_same_v<Spatial, IntPair>) {
        return a.int_pair(name);
      } else {
        return a.integer(name);
      }
    };
    return {
        .out_channels = a.integer("out_channels"),
        .kernel_size = get("kernel_size"),
        .stride = get("stride"),
        .padding = get("padding"),
        .dilation = get("dilation"),
        .groups = a.integer("groups"),
        .bias = a.boolean("bias")};
  }
};

/// The LayerType check all three share: groups must divide out_channels.
void check_conv_groups(const Args& a);

/// Throws ShapeError unless `in` is a [channels, spatial...] input of
/// `spatial` + 1 dims (`layout` names them: "[channels, length]") whose
/// channels divide by `groups`.
void check_conv_input(
    std::string_view type,
    const Shape& in,
    int spatial,
    std::string_view layout,
    std::int64_t groups);

/// A (de)convolution layer: the derived class only states its geometry.
class ConvLayer : public DenseLayer {
 public:
  std::string_view type() const final {
    return type_;
  }
  const Shape& output_shape() const final {
    return output_;
  }
  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) final;

 protected:
  /// `type` must outlive the layer (a string literal); `weights` and
  /// `bias` are DenseLayer's (dims and a bool, or a desc and a size).
  template <class Weights, class Bias>
  ConvLayer(
      std::string_view type,
      ConvKind kind,
      const Shape& input,
      Shape output,
      const Shape& weight_shape,
      const Weights& weights,
      Bias bias)
      : DenseLayer(type, weight_shape, weights, bias),
        type_(type),
        kind_(kind),
        input_(input),
        output_(std::move(output)) {}

  /// The (de)convolution for a batch of `batch` samples.
  virtual ConvGeometry geometry(std::int64_t batch) const = 0;

  const Shape& input_shape() const {
    return input_;
  }

 private:
  std::string_view type_;
  ConvKind kind_;
  Shape input_;
  Shape output_;
};

}  // namespace initforge::layers_detail
