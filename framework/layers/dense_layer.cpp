// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/dense_layer.h"

#include <cmath>
#include <utility>

namespace initforge::layers_detail {

std::vector<LayerParam> dense_layer_params(
    std::string weight_shape, std::string bias_shape) {
  return {
      {"weight",
       "kaiming_uniform",
       {{"a", std::sqrt(5.0)}},
       "",
       std::move(weight_shape)},
      {"bias", "fan_in_uniform", {}, "bias", std::move(bias_shape)}};
}

DenseLayer::DenseLayer(
    std::string_view type,
    const Shape& weight_shape,
    const memory::dims& weight_dims,
    bool bias)
    : params_(type, weight_shape, weight_dims, bias) {}

DenseLayer::DenseLayer(
    std::string_view type,
    const Shape& weight_shape,
    const memory::desc& weight_logical,
    std::int64_t bias_size)
    : params_(type, weight_shape, weight_logical, bias_size) {}

std::vector<ParamDecl> DenseLayer::params() const {
  return params_.decls();
}

memory::desc DenseLayer::finish_prepare(
    DnnlContext& ctx,
    const memory::desc& given_src,
    const dnnl::primitive_desc& forward,
    const dnnl::primitive_desc* bwd_data,
    const dnnl::primitive_desc* bwd_weights) {
  primitive_ = dnnl::primitive(forward);
  input_.prepare(ctx, given_src, forward.src_desc());
  params_.prepare_forward(ctx, forward, args_);
  if (bwd_data && bwd_weights) {
    backward_.prepare(
        ctx, given_src, forward, *bwd_data, *bwd_weights, params_);
  } else {
    backward_.reset(params_);
  }
  return forward.dst_desc();
}

void DenseLayer::set_params(
    DnnlContext& ctx,
    std::span<const ConstTensorView> params,
    std::span<const ConstTensorView> buffers) {
  params_.set_params(ctx, params, buffers);
}

void DenseLayer::forward(
    DnnlContext& ctx, std::span<const memory> src, const memory& dst) {
  args_[DNNL_ARG_SRC] = input_(ctx, src[0]);
  args_[DNNL_ARG_DST] = dst;
  primitive_.execute(ctx.stream, args_);
}

void DenseLayer::backward(
    DnnlContext& ctx,
    std::span<const memory> src,
    const memory& /*dst*/,
    const memory& diff_dst,
    std::span<const memory> diff_src) {
  expect_backward_call(
      type(), backward_.prepared(), src.size(), diff_src.size(), 1);
  // forward() left the source in the primitive's layout (the reorder
  // buffer, or src itself).
  const memory& read = input_.reorders() ? args_.at(DNNL_ARG_SRC) : src[0];
  backward_.run(ctx, read, diff_dst, diff_src[0]);
}

void DenseLayer::param_grads(
    DnnlContext& ctx, std::span<const TensorView> out) {
  params_.param_grads(ctx, out);
}

}  // namespace initforge::layers_detail
