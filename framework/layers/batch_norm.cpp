// SPDX-License-Identifier: Apache-2.0
// BatchNorm1d and BatchNorm2d, y = (x - mean) / sqrt(var + eps) * weight +
// bias per channel (dim 1): inference uses the running statistics; training
// the batch's (biased variance) and then updates the running ones as PyTorch
// does. Both are one class: oneDNN's primitive takes 2-D to 5-D data.

#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dense_backward.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

struct BatchNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;
};

using dnnl::batch_normalization_backward;
using dnnl::batch_normalization_forward;

float* floats(const memory& m) {
  return static_cast<float*>(m.get_data_handle());
}

class BatchNorm final : public Layer {
 public:
  // `per_channel` names what a channel's statistics run over, for the
  // error message: "batch x height x width".
  BatchNorm(
      std::string type,
      std::string per_channel,
      const BatchNormOptions& options,
      const Shape& input)
      : type_(std::move(type)),
        per_channel_(std::move(per_channel)),
        options_(options),
        shape_(input),
        channels_{input[0]} {}

  std::string_view type() const override {
    return type_;
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
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&shape_, 1});
    const bool training = phase == Phase::Training;
    const std::int64_t count = batch * (shape_.numel() / channels_[0]);
    if (training && count < 2) {
      // PyTorch refuses too: the unbiased variance would divide by zero.
      throw ShapeError(
          type_ + ": training " +
          expected_got(
              "more than 1 value per channel (" + per_channel_ + ")",
              "input " + dims_text(batched_dims(batch, shape_))));
    }
    using dnnl::normalization_flags;
    const auto affine =
        normalization_flags::use_scale | normalization_flags::use_shift;
    const auto prop = forward_prop(phase);
    const float eps = static_cast<float>(options_.eps);
    const dnnl::primitive_attr attr = default_attr();
    pd_ = batch_normalization_forward::primitive_desc(
        batch_normalization_forward::desc(
            prop,
            src[0],
            eps,
            training ? affine : affine | normalization_flags::use_global_stats),
        attr,
        ctx.engine);
    primitive_ = batch_normalization_forward(pd_);
    // Per-channel vectors are plain [C]; allocated once, kept on re-prepare.
    const memory::desc vec = plain_desc({channels_[0]});
    for (memory* m : {&scale_, &shift_, &running_mean_, &running_var_}) {
      if (!*m) {
        *m = memory(vec, ctx.engine);
      }
    }
    args_.clear();
    args_[DNNL_ARG_SCALE] = scale_;
    args_[DNNL_ARG_SHIFT] = shift_;
    args_[DNNL_ARG_SRC] = memory();
    args_[DNNL_ARG_DST] = memory();
    training_ = training;
    if (!training) {
      args_[DNNL_ARG_MEAN] = running_mean_;
      args_[DNNL_ARG_VARIANCE] = running_var_;
      drop_backward();
      return pd_.dst_desc();
    }
    for (memory* m : {&batch_mean_, &batch_var_, &diff_scale_, &diff_shift_}) {
      if (!*m) {
        *m = memory(vec, ctx.engine);
        std::memset(m->get_data_handle(), 0, vec.get_size());
      }
    }
    unbiased_ = static_cast<double>(count) / static_cast<double>(count - 1);
    args_[DNNL_ARG_MEAN] = batch_mean_;  // outputs in training
    args_[DNNL_ARG_VARIANCE] = batch_var_;
    const batch_normalization_backward::primitive_desc bwd_pd(
        batch_normalization_backward::desc(
            dnnl::prop_kind::backward, src[0], src[0], eps, affine),
        attr,
        ctx.engine,
        pd_);
    backward_ = batch_normalization_backward(bwd_pd);
    diff_dst_.prepare(ctx, pd_.dst_desc(), bwd_pd.diff_dst_desc());
    bwd_diff_src_ = bwd_pd.diff_src_desc();
    if (bwd_diff_src_ != src[0]) {  // oneDNN keeps the data layout; be safe
      diff_src_reorder_.emplace(dnnl::reorder::primitive_desc(
          ctx.engine, bwd_diff_src_, ctx.engine, src[0], attr));
    } else {
      diff_src_reorder_.reset();
    }
    diff_src_buffer_ = memory();
    bwd_args_.clear();
    bwd_args_[DNNL_ARG_MEAN] = batch_mean_;
    bwd_args_[DNNL_ARG_VARIANCE] = batch_var_;
    bwd_args_[DNNL_ARG_SCALE] = scale_;
    bwd_args_[DNNL_ARG_SHIFT] = shift_;  // oneDNN 2.6 counts it as an input
    bwd_args_[DNNL_ARG_DIFF_SCALE] = diff_scale_;
    bwd_args_[DNNL_ARG_DIFF_SHIFT] = diff_shift_;
    bwd_args_[DNNL_ARG_SRC] = memory();
    bwd_args_[DNNL_ARG_DIFF_DST] = memory();
    bwd_args_[DNNL_ARG_DIFF_SRC] = memory();
    return pd_.dst_desc();
  }

  void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers) override {
    const Shape shapes[] = {channels_, channels_};
    expect_views(type(), "parameters", params, shapes);
    if (!buffers.empty()) {  // empty: keep the running statistics
      expect_views(type(), "buffers", buffers, shapes);
    }
    if (!primitive_) {
      throw UsageError(type_ + ": set_params() called before prepare()");
    }
    ctx.stream.wait();  // a pending forward/backward may read them
    copy_in(params[0], scale_);
    copy_in(params[1], shift_);
    if (!buffers.empty()) {
      copy_in(buffers[0], running_mean_);
      copy_in(buffers[1], running_var_);
    }
  }

  void read_buffers(
      DnnlContext& ctx, std::span<const TensorView> out) override {
    expect_outputs("read_buffers", out);
    if (!primitive_) {
      throw UsageError(type_ + ": read_buffers() called before prepare()");
    }
    ctx.stream.wait();
    copy_out(running_mean_, out[0]);
    copy_out(running_var_, out[1]);
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    args_[DNNL_ARG_SRC] = src[0];
    args_[DNNL_ARG_DST] = dst;
    primitive_.execute(ctx.stream, args_);
    if (training_) {
      ctx.stream.wait();  // the batch statistics are read on the host
      update_running_stats();
    }
  }

  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& /*dst*/,
      const memory& diff_dst,
      std::span<const memory> diff_src) override {
    expect_backward_call(type(), training_, src.size(), diff_src.size(), 1);
    bwd_args_[DNNL_ARG_SRC] = src[0];
    bwd_args_[DNNL_ARG_DIFF_DST] = diff_dst_(ctx, diff_dst);
    // oneDNN always computes diff_src: without a target (the model input)
    // or in another layout it goes to a buffer made on first use.
    const bool direct = diff_src[0] && !diff_src_reorder_;
    if (!direct && !diff_src_buffer_) {
      diff_src_buffer_ = memory(bwd_diff_src_, ctx.engine);
    }
    bwd_args_[DNNL_ARG_DIFF_SRC] = direct ? diff_src[0] : diff_src_buffer_;
    backward_.execute(ctx.stream, bwd_args_);
    if (diff_src[0] && diff_src_reorder_) {
      memory target = diff_src[0];  // execute() takes non-const refs
      diff_src_reorder_->execute(ctx.stream, diff_src_buffer_, target);
    }
  }

  void param_grads(DnnlContext& ctx, std::span<const TensorView> out) override {
    expect_training(type(), "param_grads()", training_);
    expect_outputs("param_grads", out);
    ctx.stream.wait();
    copy_out(diff_scale_, out[0]);
    copy_out(diff_shift_, out[1]);
  }

 private:
  // PyTorch's update, in double as its CPU kernel: the running variance
  // takes the unbiased batch variance var * n / (n - 1).
  void update_running_stats() {
    const double m = options_.momentum;
    const float* mean = floats(batch_mean_);
    const float* var = floats(batch_var_);
    float* rm = floats(running_mean_);
    float* rv = floats(running_var_);
    for (std::int64_t c = 0; c < channels_[0]; ++c) {
      rm[c] = static_cast<float>((1.0 - m) * rm[c] + m * double{mean[c]});
      rv[c] = static_cast<float>(
          (1.0 - m) * rv[c] + m * double{var[c]} * unbiased_);
    }
  }

  void drop_backward() {
    backward_ = batch_normalization_backward();
    bwd_args_.clear();
    diff_src_reorder_.reset();
    diff_src_buffer_ = memory();
    batch_mean_ = batch_var_ = diff_scale_ = diff_shift_ = memory();
  }

  void expect_outputs(std::string_view what, std::span<const TensorView> out) {
    if (out.size() != 2) {
      throw UsageError(
          type_ + ": " + std::string(what) + "() " +
          expected_got("2 outputs", std::to_string(out.size())));
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (!(out[i].shape() == channels_)) {
        throw ShapeError(
            type_ + ": " + std::string(what) + "() output " +
            std::to_string(i) + " " +
            expected_got(
                "shape " + channels_.to_string(), out[i].shape().to_string()));
      }
    }
  }

  static void copy_in(ConstTensorView from, const memory& to) {
    std::memcpy(floats(to), from.data().data(), from.data().size_bytes());
  }
  static void copy_out(const memory& from, TensorView to) {
    std::memcpy(to.data().data(), floats(from), to.data().size_bytes());
  }

  std::string type_;
  std::string per_channel_;
  BatchNormOptions options_;
  Shape shape_;
  Shape channels_;
  bool training_ = false;
  double unbiased_ = 1.0;  // n / (n - 1), n = values per channel
  // Kept after prepare(): the hint for the backward primitive desc.
  batch_normalization_forward::primitive_desc pd_;
  batch_normalization_forward primitive_;
  std::unordered_map<int, memory> args_;
  memory scale_, shift_, running_mean_, running_var_;  // plain [C]
  // Training: the batch statistics (forward outputs, backward inputs) and
  // the parameter gradients.
  memory batch_mean_, batch_var_, diff_scale_, diff_shift_;
  batch_normalization_backward backward_;
  std::unordered_map<int, memory> bwd_args_;
  InputAdapter diff_dst_;
  memory::desc bwd_diff_src_;
  std::optional<dnnl::reorder> diff_src_reorder_;
  memory diff_src_buffer_;
};

std::unique_ptr<Layer> make_batch_norm2d(
    const BatchNormOptions& options, std::span<const Shape> inputs) {
  expect_input_count("BatchNorm2d", inputs, 1);
  const Shape& in = inputs[0];
  if (in.rank() != 3) {
    throw ShapeError(
        "BatchNorm2d: " +
        expected_got(
            "a 3-D input [channels, height, width] per sample",
            in.to_string()));
  }
  return std::make_unique<BatchNorm>(
      "BatchNorm2d", "batch x height x width", options, in);
}

// PyTorch's (N, C) or (N, C, L): per sample [channels] or [channels, length].
std::unique_ptr<Layer> make_batch_norm1d(
    const BatchNormOptions& options, std::span<const Shape> inputs) {
  expect_input_count("BatchNorm1d", inputs, 1);
  const Shape& in = inputs[0];
  if (in.rank() != 1 && in.rank() != 2) {
    throw ShapeError(
        "BatchNorm1d: " + expected_got(
                              "a 1-D input [channels] or a 2-D input "
                              "[channels, length] per sample",
                              in.to_string()));
  }
  return std::make_unique<BatchNorm>(
      "BatchNorm1d", in.rank() == 1 ? "batch" : "batch x length", options, in);
}

// Both types take PyTorch's eps and momentum (the channel count is the
// input's, as everywhere in initforge).
std::vector<ArgSpec> batch_norm_args() {
  return {
      ArgSpec::number("eps", 1e-5, "added to the variance").greater_than(0),
      ArgSpec::number("momentum", 0.1, "running statistics' update rate")
          .at_least(0)
          .at_most(1)};
}

BatchNormOptions batch_norm_options(const Args& a) {
  return {.eps = a.number("eps"), .momentum = a.number("momentum")};
}

// nn.BatchNorm*d.reset_parameters: weight ones, bias zeros; running_mean
// zeros and running_var ones (buffers()).
std::vector<LayerParam> batch_norm_params() {
  return {
      {"weight", "ones", {}, "", "[channels]"},
      {"bias", "zeros", {}, "", "[channels]"}};
}

const LayerRegistration kBatchNorm2d{LayerType{
    .name = "BatchNorm2d",
    .doc = "per-channel batch normalization over [channels, height, "
           "width]; buffers running_mean (0) and running_var (1)",
    .args = batch_norm_args(),
    .params = batch_norm_params(),
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_batch_norm2d(batch_norm_options(a), inputs);
    }}};

const LayerRegistration kBatchNorm1d{LayerType{
    .name = "BatchNorm1d",
    .doc = "per-channel batch normalization over [channels] or [channels, "
           "length]; buffers running_mean (0) and running_var (1)",
    .args = batch_norm_args(),
    .params = batch_norm_params(),
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_batch_norm1d(batch_norm_options(a), inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
