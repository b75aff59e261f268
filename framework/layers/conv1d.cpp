// SPDX-License-Identifier: Apache-2.0
// Conv1d on oneDNN's direct 1-D convolution: stride, padding, dilation,
// groups, over [channels, length].

#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/conv_layer.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

using Conv1dOptions = ConvOptions<std::int64_t>;

// PyTorch's weight shape [out, in/g, k].
Shape weight_shape(const Conv1dOptions& o, const Shape& input) {
  return {o.out_channels, input[0] / o.groups, o.kernel_size};
}

// [out, in/g, k] row-major is [g, out/g, in/g, k] row-major.
memory::dims weight_dims(const Conv1dOptions& o, const Shape& input) {
  const Shape w = weight_shape(o, input);
  if (o.groups == 1) {
    return {w[0], w[1], w[2]};
  }
  return {o.groups, w[0] / o.groups, w[1], w[2]};
}

class Conv1d final : public ConvLayer {
 public:
  Conv1d(const Conv1dOptions& options, const Shape& input, std::int64_t out)
      : ConvLayer(
            "Conv1d",
            ConvKind::Convolution,
            input,
            {options.out_channels, out},
            weight_shape(options, input),
            weight_dims(options, input),
            options.bias),
        options_(options) {}

 private:
  ConvGeometry geometry(std::int64_t batch) const override {
    const auto& o = options_;
    return {
        .src = batched_dims(batch, input_shape()),
        .dst = batched_dims(batch, output_shape()),
        .weights = weight_dims(o, input_shape()),
        .strides = {o.stride},
        .dilates = onednn_dilates({o.dilation}),
        .pad_l = {o.padding},
        .pad_r = {o.padding},
        .bias_size = o.bias ? o.out_channels : 0};
  }

  Conv1dOptions options_;
};

std::unique_ptr<Layer> make_conv1d(
    const Conv1dOptions& o, std::span<const Shape> inputs) {
  expect_input_count("Conv1d", inputs, 1);
  const Shape& in = inputs[0];
  check_conv_input("Conv1d", in, 1, "[channels, length]", o.groups);
  if (in[1] > (std::int64_t{1} << 60)) {  // keeps the sums below exact
    throw ShapeError(
        "Conv1d: " + expected_got("a length <= 2^60", std::to_string(in[1])));
  }
  // PyTorch's floor((L + 2p - d(k-1) - 1) / s) + 1.
  const std::int64_t extent = o.dilation * (o.kernel_size - 1) + 1;
  const std::int64_t padded = in[1] + 2 * o.padding;
  if (extent > padded) {
    throw ShapeError(
        "Conv1d: " +
        expected_got(
            "a kernel extent of at most the padded length " +
                std::to_string(padded) + " (length " + std::to_string(in[1]) +
                ", padding " + std::to_string(o.padding) + " on each side)",
            std::to_string(extent) + " (kernel " +
                std::to_string(o.kernel_size) + ", dilation " +
                std::to_string(o.dilation) + ")"));
  }
  return std::make_unique<Conv1d>(o, in, (padded - extent) / o.stride + 1);
}

const LayerRegistration kConv1d{LayerType{
    .name = "Conv1d",
    .doc = "1-D convolution over [channels, length]",
    .args = conv_args(1),
    .params = dense_layer_params(
        "[out_channels, in_channels / groups, kernel_size]", "[out_channels]"),
    .check = check_conv_groups,
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_conv1d(Conv1dOptions::read(a), inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
