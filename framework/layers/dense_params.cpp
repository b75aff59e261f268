// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/dense_params.h"

#include <cstring>
#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {

void ParamMemory::prepare(DnnlContext& ctx, const memory::desc& desc) {
  // A re-prepare may pick another layout: keep loaded values.
  value_ = relayout(ctx, loaded_ ? value_ : memory(), desc);
  plain_ = memory(logical_, ctx.engine, DNNL_MEMORY_NONE);
  load_.emplace(dnnl::reorder::primitive_desc(
      ctx.engine, logical_, ctx.engine, desc, default_attr()));
}

void ParamMemory::prepare_backward(
    DnnlContext& ctx, const memory::desc& grad, const memory::desc& mirror) {
  if (!grad_ || grad_.get_desc() != grad) {
    grad_ = memory(grad, ctx.engine);
    // param_grads() before any backward() reads zeros, not garbage.
    std::memset(grad_.get_data_handle(), 0, grad.get_size());
  }
  store_.emplace(dnnl::reorder::primitive_desc(
      ctx.engine, grad, ctx.engine, logical_, default_attr()));
  if (mirror == value_.get_desc()) {
    mirror_ = memory();
    to_mirror_.reset();
    return;
  }
  if (!mirror_ || mirror_.get_desc() != mirror) {
    mirror_ = memory(mirror, ctx.engine);
  }
  to_mirror_.emplace(dnnl::reorder::primitive_desc(
      ctx.engine, value_.get_desc(), ctx.engine, mirror, default_attr()));
  if (loaded_) {
    to_mirror_->execute(ctx.stream, value_, mirror_);
    ctx.stream.wait();
  }
}

void ParamMemory::drop_backward() {
  grad_ = memory();
  store_.reset();
  mirror_ = memory();
  to_mirror_.reset();
}

void ParamMemory::load(DnnlContext& ctx, ConstTensorView values) {
  // oneDNN takes a non-const handle; the reorder only reads its source.
  plain_.set_data_handle(const_cast<float*>(values.data().data()));
  load_->execute(ctx.stream, plain_, value_);
  if (to_mirror_) {
    to_mirror_->execute(ctx.stream, value_, mirror_);
  }
  loaded_ = true;
}

void ParamMemory::store_grad(DnnlContext& ctx, TensorView out) {
  plain_.set_data_handle(out.data().data());
  store_->execute(ctx.stream, grad_, plain_);
}

DenseParams::DenseParams(
    std::string_view type,
    const Shape& weight_shape,
    const memory::dims& weight_dims,
    bool bias)
    : DenseParams(
          type,
          weight_shape,
          plain_desc(weight_dims),
          bias ? weight_shape[0] : 0) {}

DenseParams::DenseParams(
    std::string_view type,
    const Shape& weight_shape,
    const memory::desc& weight_logical,
    std::int64_t bias_size)
    : type_(type), shapes_{weight_shape}, weight_(weight_logical) {
  if (bias_size > 0) {
    shapes_.push_back(Shape{bias_size});
    bias_.emplace(plain_desc({bias_size}));
  }
}

std::vector<ParamDecl> DenseParams::decls() const {
  const Fans fans = compute_fans(shapes_[0]);
  std::vector<ParamDecl> decls{{"weight", ParamRole::Weight, shapes_[0], fans}};
  if (bias_) {
    decls.push_back({"bias", ParamRole::Bias, shapes_[1], fans});
  }
  return decls;
}

void DenseParams::prepare_forward(
    DnnlContext& ctx,
    const dnnl::primitive_desc_base& forward,
    std::unordered_map<int, memory>& args) {
  weight_.prepare(ctx, forward.weights_desc(0));
  args[DNNL_ARG_WEIGHTS] = weight_.value();
  if (bias_) {
    bias_->prepare(ctx, forward.weights_desc(1));
    args[DNNL_ARG_BIAS] = bias_->value();
  }
  prepared_ = true;
}

void DenseParams::prepare_backward(
    DnnlContext& ctx,
    const dnnl::primitive_desc_base& bwd_data,
    const dnnl::primitive_desc_base& bwd_weights) {
  weight_.prepare_backward(
      ctx, bwd_weights.diff_weights_desc(0), bwd_data.weights_desc(0));
  if (bias_) {
    // Backward-data does not read the bias: no copy.
    bias_->prepare_backward(
        ctx, bwd_weights.diff_weights_desc(1), bias_->value().get_desc());
  }
  training_ = true;
}

void DenseParams::drop_backward() {
  weight_.drop_backward();
  if (bias_) {
    bias_->drop_backward();
  }
  training_ = false;
}

void DenseParams::set_params(
    DnnlContext& ctx,
    std::span<const ConstTensorView> params,
    std::span<const ConstTensorView> buffers) {
  expect_views(type_, "parameters", params, shapes_);
  expect_views(type_, "buffers", buffers, {});
  if (!prepared_) {
    throw UsageError(
        std::string(type_) + ": set_params() called before prepare()");
  }
  weight_.load(ctx, params[0]);
  if (bias_) {
    bias_->load(ctx, params[1]);
  }
  ctx.stream.wait();  // the caller may free or change `params` next
}

void DenseParams::param_grads(
    DnnlContext& ctx, std::span<const TensorView> out) {
  expect_training(type_, "param_grads()", training_);
  if (out.size() != shapes_.size()) {
    throw UsageError(
        std::string(type_) + ": param_grads() " +
        expected_got(
            std::to_string(shapes_.size()) + " outputs",
            std::to_string(out.size())));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (!(out[i].shape() == shapes_[i])) {
      throw ShapeError(
          std::string(type_) + ": param_grads() output " + std::to_string(i) +
          " " +
          expected_got(
              "shape " + shapes_[i].to_string(), out[i].shape().to_string()));
    }
  }
  weight_.store_grad(ctx, out[0]);
  if (bias_) {
    bias_->store_grad(ctx, out[1]);
  }
  ctx.stream.wait();
}

}  // namespace initforge::layers_detail
