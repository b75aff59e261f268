// SPDX-License-Identifier: Apache-2.0
// ConvTranspose2d on oneDNN's direct deconvolution: stride, padding,
// output_padding, groups, dilation. The weight keeps PyTorch's shape
// [in, out/g, kh, kw], so its fans (and the default init) follow PyTorch.

#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/conv_layer.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

using Tag = memory::format_tag;

// PyTorch's ConvTranspose2d adds output_padding to the family's options.
struct ConvTranspose2dOptions : ConvOptions<IntPair> {
  IntPair output_padding{0, 0};
};

// PyTorch's weight shape [in, out/g, kh, kw].
Shape weight_shape(const ConvTranspose2dOptions& o, const Shape& input) {
  return {
      input[0], o.out_channels / o.groups, o.kernel_size[0], o.kernel_size[1]};
}

// oneDNN's deconvolution weights are [out, in, kh, kw] ([g, out/g, in/g,
// kh, kw] grouped); PyTorch's byte order is its iohw (giohw) layout.
memory::desc weight_logical(
    const ConvTranspose2dOptions& o, const Shape& input) {
  const auto [kh, kw] = o.kernel_size;
  const std::int64_t g = o.groups;
  if (g == 1) {
    return {
        {o.out_channels, input[0], kh, kw}, memory::data_type::f32, Tag::iohw};
  }
  return {
      {g, o.out_channels / g, input[0] / g, kh, kw},
      memory::data_type::f32,
      Tag::giohw};
}

class ConvTranspose2d final : public ConvLayer {
 public:
  ConvTranspose2d(
      const ConvTranspose2dOptions& options,
      const Shape& input,
      const IntPair& out)
      : ConvLayer(
            "ConvTranspose2d",
            ConvKind::Deconvolution,
            input,
            {options.out_channels, out[0], out[1]},
            weight_shape(options, input),
            weight_logical(options, input),
            options.bias ? options.out_channels : 0),
        options_(options) {}

 private:
  ConvGeometry geometry(std::int64_t batch) const override {
    const auto& o = options_;
    // output_padding adds rows at the far end: the mirrored convolution's
    // right padding shrinks by it (negative, but above -stride: checked),
    // which keeps oneDNN's size arithmetic exact.
    return {
        .src = batched_dims(batch, input_shape()),
        .dst = batched_dims(batch, output_shape()),
        .weights = weight_logical(o, input_shape()).dims(),
        .strides = {o.stride[0], o.stride[1]},
        .dilates = onednn_dilates({o.dilation[0], o.dilation[1]}),
        .pad_l = {o.padding[0], o.padding[1]},
        .pad_r =
            {o.padding[0] - o.output_padding[0],
             o.padding[1] - o.output_padding[1]},
        .bias_size = o.bias ? o.out_channels : 0};
  }

  ConvTranspose2dOptions options_;
};

std::unique_ptr<Layer> make_conv_transpose2d(
    const ConvTranspose2dOptions& o, std::span<const Shape> inputs) {
  expect_input_count("ConvTranspose2d", inputs, 1);
  const Shape& in = inputs[0];
  check_conv_input(
      "ConvTranspose2d", in, 2, "[channels, height, width]", o.groups);
  // PyTorch's (in - 1)s - 2p + d(k - 1) + output_padding + 1.
  IntPair out{};
  for (std::size_t a = 0; a < 2; ++a) {
    if (in[a + 1] > (std::int64_t{1} << 30)) {  // keeps the products exact
      throw ShapeError(
          "ConvTranspose2d: " +
          expected_got("spatial sizes <= 2^30", in.to_string()));
    }
    out[a] = (in[a + 1] - 1) * o.stride[a] - 2 * o.padding[a] +
             o.dilation[a] * (o.kernel_size[a] - 1) + o.output_padding[a] + 1;
  }
  if (out[0] < 1 || out[1] < 1) {
    throw ShapeError(
        "ConvTranspose2d: " +
        expected_got(
            "an output of at least 1x1",
            pair_text(out) + " for input " + in.to_string() + " (padding " +
                pair_text(o.padding) + " removes more than the kernel adds)"));
  }
  return std::make_unique<ConvTranspose2d>(o, in, out);
}

// PyTorch: output_padding must be smaller than either stride or dilation.
void check_args(const Args& a) {
  const IntPair op = a.int_pair("output_padding");
  const IntPair s = a.int_pair("stride");
  const IntPair d = a.int_pair("dilation");
  for (std::size_t i = 0; i < 2; ++i) {
    if (op[i] >= s[i] && op[i] >= d[i]) {
      throw ArgumentError(
          "output_padding",
          expected_got(
              "smaller than either stride " + to_string(s) + " or dilation " +
                  to_string(d) + " per axis",
              to_string(op)));
    }
  }
  // oneDNN's deconvolution takes a right padding above -stride only.
  const IntPair p = a.int_pair("padding");
  for (std::size_t i = 0; i < 2; ++i) {
    if (op[i] - p[i] >= s[i]) {
      throw ArgumentError(
          "output_padding",
          expected_got(
              "output_padding - padding < stride per axis (oneDNN cannot "
              "extend the output further)",
              "output_padding " + to_string(op) + ", padding " + to_string(p) +
                  ", stride " + to_string(s)));
    }
  }
  check_conv_groups(a);
}

const LayerRegistration kConvTranspose2d{LayerType{
    .name = "ConvTranspose2d",
    .doc = "2-D transposed convolution over [channels, height, width]",
    // PyTorch's order: output_padding after padding, dilation last.
    .args =
        {conv_out_channels(),
         conv_kernel_size(2),
         conv_spatial(2, "stride", 1, 1, "step between inputs' taps"),
         conv_spatial(
             2, "padding", 0, 0, "rows/columns removed from each side"),
         conv_spatial(
             2, "output_padding", 0, 0, "extra rows/columns at the far end"),
         conv_groups(),
         conv_bias(),
         conv_spatial(2, "dilation", 1, 1, "spacing between kernel taps")},
    // PyTorch's fans of [in, out/g, kh, kw]: fan_in = out/g * kh * kw.
    .params = dense_layer_params(
        "[in_channels, out_channels / groups, kh, kw]", "[out_channels]"),
    .check = check_args,
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_conv_transpose2d(
          {ConvOptions<IntPair>::read(a), a.int_pair("output_padding")},
          inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
