// SPDX-License-Identifier: Apache-2.0
// Conv2d on oneDNN's direct convolution: stride, padding, dilation, groups.

#include "framework/core/error.h"
#include "framework/layers/conv_layer.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

using Conv2dOptions = ConvOptions<IntPair>;

// PyTorch's weight shape [out, in/g, kh, kw].
Shape weight_shape(const Conv2dOptions& o, const Shape& input) {
  return {
      o.out_channels, input[0] / o.groups, o.kernel_size[0], o.kernel_size[1]};
}

// [out, in/g, kh, kw] row-major is [g, out/g, in/g, kh, kw] row-major.
memory::dims weight_dims(const Conv2dOptions& o, const Shape& input) {
  const Shape w = weight_shape(o, input);
  if (o.groups == 1) {
    return {w[0], w[1], w[2], w[3]};
  }
  return {o.groups, w[0] / o.groups, w[1], w[2], w[3]};
}

class Conv2d final : public ConvLayer {
 public:
  Conv2d(const Conv2dOptions& options, const Shape& input, const IntPair& out)
      : ConvLayer(
            "Conv2d",
            ConvKind::Convolution,
            input,
            {options.out_channels, out[0], out[1]},
            weight_shape(options, input),
            weight_dims(options, input),
            options.bias),
        options_(options) {}

 private:
  ConvGeometry geometry(std::int64_t batch) const override {
    const auto& o = options_;
    const memory::dims pad{o.padding[0], o.padding[1]};
    return {
        .src = batched_dims(batch, input_shape()),
        .dst = batched_dims(batch, output_shape()),
        .weights = weight_dims(o, input_shape()),
        .strides = {o.stride[0], o.stride[1]},
        .dilates = onednn_dilates({o.dilation[0], o.dilation[1]}),
        .pad_l = pad,
        .pad_r = pad,
        .bias_size = o.bias ? o.out_channels : 0};
  }

  Conv2dOptions options_;
};

std::unique_ptr<Layer> make_conv2d(
    const Conv2dOptions& options, std::span<const Shape> inputs) {
  expect_input_count("Conv2d", inputs, 1);
  const Shape& in = inputs[0];
  const auto& o = options;
  check_conv_input("Conv2d", in, 2, "[channels, height, width]", o.groups);
  const IntPair out = spatial_output(
      "Conv2d", {in[1], in[2]}, o.kernel_size, o.stride, o.padding, o.dilation);
  return std::make_unique<Conv2d>(options, in, out);
}

const LayerRegistration kConv2d{LayerType{
    .name = "Conv2d",
    .doc = "2-D convolution over [channels, height, width]",
    .args = conv_args(2),
    .params = dense_layer_params(
        "[out_channels, in_channels / groups, kh, kw]", "[out_channels]"),
    .check = check_conv_groups,
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_conv2d(Conv2dOptions::read(a), inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
