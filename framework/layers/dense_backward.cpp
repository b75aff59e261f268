// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/dense_backward.h"

namespace initforge::layers_detail {

void DenseBackward::prepare(
    DnnlContext& ctx,
    const memory::desc& given_src,
    const dnnl::primitive_desc_base& forward,
    const dnnl::primitive_desc& bwd_data,
    const dnnl::primitive_desc& bwd_weights,
    DenseParams& params) {
  params.prepare_backward(ctx, bwd_data, bwd_weights);
  data_ = dnnl::primitive(bwd_data);
  weights_ = dnnl::primitive(bwd_weights);
  const memory::desc dst = forward.dst_desc(0);
  weights_src_.prepare(ctx, forward.src_desc(0), bwd_weights.src_desc(0));
  weights_diff_dst_.prepare(ctx, dst, bwd_weights.diff_dst_desc(0));
  share_diff_dst_ = bwd_data.diff_dst_desc(0) == bwd_weights.diff_dst_desc(0);
  data_diff_dst_.prepare(
      ctx, dst, share_diff_dst_ ? dst : bwd_data.diff_dst_desc(0));

  data_diff_src_ = bwd_data.diff_src_desc(0);
  diff_src_buffer_ = memory();
  diff_src_reorder_.reset();
  if (data_diff_src_ != given_src) {
    diff_src_reorder_.emplace(dnnl::reorder::primitive_desc(
        ctx.engine, data_diff_src_, ctx.engine, given_src, default_attr()));
  }

  // The fixed arguments; run() only replaces the per-call ones.
  data_args_.clear();
  data_args_[DNNL_ARG_WEIGHTS] = params.weight().mirror();
  data_args_[DNNL_ARG_DIFF_DST] = memory();
  data_args_[DNNL_ARG_DIFF_SRC] = memory();
  weights_args_.clear();
  weights_args_[DNNL_ARG_SRC] = memory();
  weights_args_[DNNL_ARG_DIFF_DST] = memory();
  weights_args_[DNNL_ARG_DIFF_WEIGHTS] = params.weight().grad();
  if (ParamMemory* bias = params.bias()) {
    weights_args_[DNNL_ARG_DIFF_BIAS] = bias->grad();
  }
  prepared_ = true;
}

void DenseBackward::reset(DenseParams& params) {
  params.drop_backward();
  *this = DenseBackward();
}

void DenseBackward::run(
    DnnlContext& ctx,
    const memory& forward_src,
    const memory& diff_dst,
    const memory& diff_src) {
  const memory& dd_weights = weights_diff_dst_(ctx, diff_dst);
  weights_args_[DNNL_ARG_SRC] = weights_src_(ctx, forward_src);
  weights_args_[DNNL_ARG_DIFF_DST] = dd_weights;
  weights_.execute(ctx.stream, weights_args_);
  if (!diff_src) {
    return;  // the model input: no backward-data at all
  }
  data_args_[DNNL_ARG_DIFF_DST] =
      share_diff_dst_ ? dd_weights : data_diff_dst_(ctx, diff_dst);
  if (!diff_src_reorder_) {
    data_args_[DNNL_ARG_DIFF_SRC] = diff_src;
    data_.execute(ctx.stream, data_args_);
    return;
  }
  if (!diff_src_buffer_) {
    diff_src_buffer_ = memory(data_diff_src_, ctx.engine);
  }
  data_args_[DNNL_ARG_DIFF_SRC] = diff_src_buffer_;
  data_.execute(ctx.stream, data_args_);
  memory target = diff_src;  // a handle copy: execute() takes non-const refs
  diff_src_reorder_->execute(ctx.stream, diff_src_buffer_, target);
}

}  // namespace initforge::layers_detail
