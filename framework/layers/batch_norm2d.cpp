// SPDX-License-Identifier: Apache-2.0
// BatchNorm2d in inference mode: normalizes with the running statistics,
// y = (x - running_mean) / sqrt(running_var + eps) * weight + bias.

#include <cmath>
#include <string>
#include <unordered_map>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer_impls.h"

namespace initforge::layers_detail {
namespace {

class BatchNorm2d final : public Layer {
 public:
  BatchNorm2d(const BatchNorm2dOptions& options, const Shape& input)
      : options_(options), shape_(input), channels_{input[0]} {}

  std::string_view type() const override {
    return "BatchNorm2d";
  }
  const Shape& output_shape() const override {
    return shape_;
  }

  // The builder's default for a 1-D Weight is ones and for a Bias zeros,
  // PyTorch's reset_parameters(); there are no fans.
  std::vector<ParamDecl> params() const override {
    return {
        {"weight", ParamRole::Weight, channels_, std::nullopt},
        {"bias", ParamRole::Bias, channels_, std::nullopt}};
  }
  std::vector<BufferDecl> buffers() const override {
    return {
        {"running_mean", channels_, 0.0f}, {"running_var", channels_, 1.0f}};
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src) override {
    expect_src_descs(type(), src, batch, {&shape_, 1});
    using dnnl::normalization_flags;
    const auto flags = normalization_flags::use_global_stats |
                       normalization_flags::use_scale |
                       normalization_flags::use_shift;
    const dnnl::batch_normalization_forward::desc desc(
        dnnl::prop_kind::forward_inference,
        src[0],
        static_cast<float>(options_.eps),
        flags);
    pd_ = dnnl::batch_normalization_forward::primitive_desc(
        desc, default_attr(), ctx.engine);
    primitive_ = dnnl::batch_normalization_forward(pd_);
    // Per-channel vectors are plain [C]; allocated once, kept on re-prepare.
    const memory::desc vec = plain_desc({channels_[0]});
    for (int arg :
         {DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE}) {
      if (!args_.contains(arg)) {
        args_[arg] = memory(vec, ctx.engine);
      }
    }
    return pd_.dst_desc();
  }

  void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers) override {
    const Shape shapes[] = {channels_, channels_};
    expect_views(type(), "parameters", params, shapes);
    expect_views(type(), "buffers", buffers, shapes);
    if (!primitive_) {
      throw UsageError("BatchNorm2d: set_params() called before prepare()");
    }
    const memory::dims dims{channels_[0]};
    load_logical(ctx, params[0], dims, args_.at(DNNL_ARG_SCALE));
    load_logical(ctx, params[1], dims, args_.at(DNNL_ARG_SHIFT));
    load_logical(ctx, buffers[0], dims, args_.at(DNNL_ARG_MEAN));
    load_logical(ctx, buffers[1], dims, args_.at(DNNL_ARG_VARIANCE));
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    args_[DNNL_ARG_SRC] = src[0];
    args_[DNNL_ARG_DST] = dst;
    primitive_.execute(ctx.stream, args_);
  }

 private:
  BatchNorm2dOptions options_;  // momentum is for training (next issue)
  Shape shape_;
  Shape channels_;
  // Kept after prepare(): the hint for the backward primitive desc.
  dnnl::batch_normalization_forward::primitive_desc pd_;
  dnnl::batch_normalization_forward primitive_;
  std::unordered_map<int, memory> args_;
};

}  // namespace

std::unique_ptr<Layer> make_batch_norm2d(
    const BatchNorm2dOptions& options, std::span<const Shape> inputs) {
  expect_input_count("BatchNorm2d", inputs, 1);
  const Shape& in = inputs[0];
  if (in.rank() != 3) {
    throw ShapeError(
        "BatchNorm2d: expected a 3-D input [channels, height, width] per "
        "sample, got " +
        in.to_string());
  }
  if (!(options.eps > 0.0) || !std::isfinite(options.eps)) {
    throw InvalidArgument(
        "BatchNorm2d: expected a finite eps > 0, got " +
        std::to_string(options.eps));
  }
  if (!(options.momentum >= 0.0 && options.momentum <= 1.0)) {
    throw InvalidArgument(
        "BatchNorm2d: expected momentum in [0, 1], got " +
        std::to_string(options.momentum));
  }
  return std::make_unique<BatchNorm2d>(options, in);
}

}  // namespace initforge::layers_detail
