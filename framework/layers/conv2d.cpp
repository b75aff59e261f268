// SPDX-License-Identifier: Apache-2.0
// Conv2d on oneDNN's direct convolution: stride, padding, dilation, groups.

#include <unordered_map>
#include <vector>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer_impls.h"

namespace initforge::layers_detail {
namespace {

class Conv2d final : public Layer {
 public:
  Conv2d(const Conv2dOptions& options, const Shape& input, const Pair& out)
      : options_(options),
        input_shape_(input),
        output_{options.out_channels, out[0], out[1]},
        weight_shape_{
            options.out_channels,
            input[0] / options.groups,
            options.kernel_size[0],
            options.kernel_size[1]} {}

  std::string_view type() const override {
    return "Conv2d";
  }
  const Shape& output_shape() const override {
    return output_;
  }

  std::vector<ParamDecl> params() const override {
    const Fans fans = compute_fans(weight_shape_);
    std::vector<ParamDecl> decls{
        {"weight", ParamRole::Weight, weight_shape_, fans}};
    if (options_.bias) {
      decls.push_back(
          {"bias", ParamRole::Bias, Shape{options_.out_channels}, fans});
    }
    return decls;
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src) override {
    expect_src_descs(type(), src, batch, {&input_shape_, 1});
    const auto& o = options_;
    const auto src_md = any_desc(batched_dims(batch, input_shape_));
    const auto dst_md = any_desc(batched_dims(batch, output_));
    const auto w_md = any_desc(weight_dims());
    const memory::dims strides{o.stride[0], o.stride[1]};
    // oneDNN counts the gaps between taps: PyTorch's dilation minus one.
    const memory::dims dilates{o.dilation[0] - 1, o.dilation[1] - 1};
    const memory::dims padding{o.padding[0], o.padding[1]};
    constexpr auto kProp = dnnl::prop_kind::forward_inference;
    constexpr auto kAlg = dnnl::algorithm::convolution_direct;
    const auto desc = o.bias ? dnnl::convolution_forward::desc(
                                   kProp,
                                   kAlg,
                                   src_md,
                                   w_md,
                                   any_desc({o.out_channels}),
                                   dst_md,
                                   strides,
                                   dilates,
                                   padding,
                                   padding)
                             : dnnl::convolution_forward::desc(
                                   kProp,
                                   kAlg,
                                   src_md,
                                   w_md,
                                   dst_md,
                                   strides,
                                   dilates,
                                   padding,
                                   padding);
    pd_ = dnnl::convolution_forward::primitive_desc(
        desc, default_attr(), ctx.engine);
    primitive_ = dnnl::convolution_forward(pd_);
    input_.prepare(ctx, src[0], pd_.src_desc());
    // A re-prepare may pick another weight layout: keep loaded values.
    weights_ = relayout(ctx, loaded_ ? weights_ : memory(), pd_.weights_desc());
    args_[DNNL_ARG_WEIGHTS] = weights_;
    if (o.bias) {
      bias_ = relayout(ctx, loaded_ ? bias_ : memory(), pd_.bias_desc());
      args_[DNNL_ARG_BIAS] = bias_;
    }
    return pd_.dst_desc();
  }

  void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers) override {
    std::vector<Shape> shapes{weight_shape_};
    if (options_.bias) {
      shapes.push_back(Shape{options_.out_channels});
    }
    expect_views(type(), "parameters", params, shapes);
    expect_views(type(), "buffers", buffers, {});
    if (!primitive_) {
      throw UsageError("Conv2d: set_params() called before prepare()");
    }
    // [out, in/g, kh, kw] row-major is [g, out/g, in/g, kh, kw] row-major.
    load_logical(ctx, params[0], weight_dims(), weights_);
    if (options_.bias) {
      load_logical(ctx, params[1], {options_.out_channels}, bias_);
    }
    loaded_ = true;
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    args_[DNNL_ARG_SRC] = input_(ctx, src[0]);
    args_[DNNL_ARG_DST] = dst;
    primitive_.execute(ctx.stream, args_);
  }

 private:
  memory::dims weight_dims() const {
    const std::int64_t g = options_.groups;
    const auto& w = weight_shape_;
    if (g == 1) {
      return {w[0], w[1], w[2], w[3]};
    }
    return {g, w[0] / g, w[1], w[2], w[3]};
  }

  Conv2dOptions options_;
  Shape input_shape_;
  Shape output_;
  Shape weight_shape_;
  // Kept after prepare(): the hint for the backward primitive descs.
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward primitive_;
  InputAdapter input_;
  memory weights_;
  memory bias_;
  bool loaded_ = false;
  std::unordered_map<int, memory> args_;
};

}  // namespace

std::unique_ptr<Layer> make_conv2d(
    const Conv2dOptions& options, std::span<const Shape> inputs) {
  expect_input_count("Conv2d", inputs, 1);
  const Shape& in = inputs[0];
  if (in.rank() != 3) {
    throw ShapeError(
        "Conv2d: expected a 3-D input [channels, height, width] per sample, "
        "got " +
        in.to_string());
  }
  const auto& o = options;
  if (o.out_channels <= 0) {
    throw ShapeError(
        "Conv2d: expected out_channels > 0, got " +
        std::to_string(o.out_channels));
  }
  expect_at_least("Conv2d", "kernel_size", o.kernel_size, 1);
  expect_at_least("Conv2d", "stride", o.stride, 1);
  expect_at_least("Conv2d", "padding", o.padding, 0);
  expect_at_least("Conv2d", "dilation", o.dilation, 1);
  if (o.groups <= 0) {
    throw ShapeError(
        "Conv2d: expected groups > 0, got " + std::to_string(o.groups));
  }
  if (in[0] % o.groups != 0) {
    throw ShapeError(
        "Conv2d: expected in_channels divisible by groups " +
        std::to_string(o.groups) + ", got in_channels " +
        std::to_string(in[0]) + " (input " + in.to_string() + ")");
  }
  if (o.out_channels % o.groups != 0) {
    throw ShapeError(
        "Conv2d: expected out_channels divisible by groups " +
        std::to_string(o.groups) + ", got out_channels " +
        std::to_string(o.out_channels));
  }
  const Pair out = spatial_output(
      "Conv2d", {in[1], in[2]}, o.kernel_size, o.stride, o.padding, o.dilation);
  return std::make_unique<Conv2d>(options, in, out);
}

}  // namespace initforge::layers_detail
