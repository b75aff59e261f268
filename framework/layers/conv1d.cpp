// SPDX-License-Identifier: Apache-2.0
// Conv1d on oneDNN's direct 1-D convolution: stride, padding, dilation,
// groups, over [channels, length].

#include <string>

#include "framework/core/error.h"
#include "framework/layers/conv_layer.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

struct Conv1dOptions {
  std::int64_t out_channels = 0;
  std::int64_t kernel_size = 0;
  std::int64_t stride = 1;
  std::int64_t padding = 0;
  std::int64_t dilation = 1;
  std::int64_t groups = 1;
  bool bias = true;
};

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
            weight_shape(options, input),
            weight_dims(options, input),
            options.bias),
        options_(options),
        input_shape_(input),
        output_{options.out_channels, out} {}

  std::string_view type() const override {
    return "Conv1d";
  }
  const Shape& output_shape() const override {
    return output_;
  }
  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&input_shape_, 1});
    const auto& o = options_;
    return prepare_conv(
        ctx,
        src[0],
        phase,
        ConvKind::Convolution,
        {.src = batched_dims(batch, input_shape_),
         .dst = batched_dims(batch, output_),
         .weights = weight_dims(o, input_shape_),
         .strides = {o.stride},
         .dilates = onednn_dilates({o.dilation}),
         .pad_l = {o.padding},
         .pad_r = {o.padding},
         .bias_size = o.bias ? o.out_channels : 0});
  }

 private:
  Conv1dOptions options_;
  Shape input_shape_;
  Shape output_;
};

std::unique_ptr<Layer> make_conv1d(
    const Conv1dOptions& o, std::span<const Shape> inputs) {
  expect_input_count("Conv1d", inputs, 1);
  const Shape& in = inputs[0];
  if (in.rank() != 2) {
    throw ShapeError(
        "Conv1d: expected a 2-D input [channels, length] per sample, got " +
        in.to_string());
  }
  if (in[0] % o.groups != 0) {
    throw ShapeError(
        "Conv1d: expected in_channels divisible by groups " +
        std::to_string(o.groups) + ", got in_channels " +
        std::to_string(in[0]) + " (input " + in.to_string() + ")");
  }
  if (in[1] > (std::int64_t{1} << 60)) {  // keeps the sums below exact
    throw ShapeError(
        "Conv1d: expected a length <= 2^60, got " + std::to_string(in[1]));
  }
  // PyTorch's floor((L + 2p - d(k-1) - 1) / s) + 1.
  const std::int64_t extent = o.dilation * (o.kernel_size - 1) + 1;
  const std::int64_t padded = in[1] + 2 * o.padding;
  if (extent > padded) {
    throw ShapeError(
        "Conv1d: expected a kernel extent of at most the padded length " +
        std::to_string(padded) + " (length " + std::to_string(in[1]) +
        ", padding " + std::to_string(o.padding) + " on each side), got " +
        std::to_string(extent) + " (kernel " + std::to_string(o.kernel_size) +
        ", dilation " + std::to_string(o.dilation) + ")");
  }
  return std::make_unique<Conv1d>(o, in, (padded - extent) / o.stride + 1);
}

const LayerRegistration kConv1d{LayerType{
    .name = "Conv1d",
    .doc = "1-D convolution over [channels, length]",
    .args =
        {ArgSpec::required_integer("out_channels", "output channels")
             .at_least(1),
         ArgSpec::required_integer("kernel_size", "kernel length")
             .at_least(1)
             .at_most(kMaxSpatialOption),
         ArgSpec::integer("stride", 1, "step between outputs")
             .at_least(1)
             .at_most(kMaxSpatialOption),
         ArgSpec::integer("padding", 0, "zeros added on each side")
             .at_least(0)
             .at_most(kMaxSpatialOption),
         ArgSpec::integer("dilation", 1, "spacing between kernel taps")
             .at_least(1)
             .at_most(kMaxSpatialOption),
         ArgSpec::integer("groups", 1, "blocked connections in to out")
             .at_least(1),
         ArgSpec::boolean("bias", true, "learn an additive bias")},
    .params = dense_layer_params(
        "[out_channels, in_channels / groups, kernel_size]", "[out_channels]"),
    .check =
        [](const Args& a) {
          if (a.integer("out_channels") % a.integer("groups") != 0) {
            throw ArgumentError(
                "groups",
                "out_channels (" + std::to_string(a.integer("out_channels")) +
                    ") must be divisible by groups; got " +
                    std::to_string(a.integer("groups")));
          }
        },
    .make =
        [](const Args& a, std::span<const Shape> inputs) {
          return make_conv1d(
              {.out_channels = a.integer("out_channels"),
               .kernel_size = a.integer("kernel_size"),
               .stride = a.integer("stride"),
               .padding = a.integer("padding"),
               .dilation = a.integer("dilation"),
               .groups = a.integer("groups"),
               .bias = a.boolean("bias")},
              inputs);
        }}};

}  // namespace
}  // namespace initforge::layers_detail
