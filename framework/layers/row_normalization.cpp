// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/row_normalization.h"

#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge::layers_detail {

using dnnl::layer_normalization_backward;
using dnnl::layer_normalization_forward;
using dnnl::normalization_flags;

namespace {

memory zeroed(DnnlContext& ctx, const memory::desc& desc) {
  memory m(desc, ctx.engine);
  std::memset(m.get_data_handle(), 0, desc.get_size());
  return m;
}

}  // namespace

memory::desc RowNormalization::prepare(
    DnnlContext& ctx,
    const memory::desc& src,
    memory::dim rows,
    memory::dim cols,
    float eps,
    bool affine,
    Phase phase) {
  rows_desc_ = plain_desc({rows, cols});
  plain_desc_ = plain_desc(src.dims());
  affine_ = affine;
  // The rows are only contiguous in the row-major layout.
  plain_src_ = src == plain_desc_;
  src_adapter_.prepare(ctx, src, plain_desc_);
  adapted_src_ = memory();
  const auto flags =
      affine ? normalization_flags::use_scale | normalization_flags::use_shift
             : normalization_flags::none;
  const dnnl::primitive_attr attr = default_attr();
  const layer_normalization_forward::primitive_desc pd(
      layer_normalization_forward::desc(
          forward_prop(phase), rows_desc_, eps, flags),
      attr,
      ctx.engine);
  forward_ = layer_normalization_forward(pd);
  const memory::desc vec = plain_desc({cols});
  if (affine && !(scale_ && scale_.get_desc() == vec)) {
    scale_ = memory(vec, ctx.engine);
    shift_ = memory(vec, ctx.engine);
  }
  backward_ = layer_normalization_backward();
  diff_src_reorder_.reset();
  diff_src_buffer_ = mean_ = variance_ = memory();
  diff_scale_ = diff_shift_ = memory();
  if (phase == Phase::Inference) {
    return plain_desc_;
  }
  mean_ = memory(pd.mean_desc(), ctx.engine);
  variance_ = memory(pd.variance_desc(), ctx.engine);
  if (affine) {
    diff_scale_ = zeroed(ctx, vec);
    diff_shift_ = zeroed(ctx, vec);
  }
  // backward_data unless there are scale and shift gradients to compute.
  const layer_normalization_backward::primitive_desc bwd(
      layer_normalization_backward::desc(
          affine ? dnnl::prop_kind::backward : dnnl::prop_kind::backward_data,
          rows_desc_,
          rows_desc_,
          eps,
          flags),
      attr,
      ctx.engine,
      pd);
  backward_ = layer_normalization_backward(bwd);
  if (!plain_src_) {
    diff_src_reorder_.emplace(dnnl::reorder::primitive_desc(
        ctx.engine, plain_desc_, ctx.engine, src, attr));
  }
  return plain_desc_;
}

memory RowNormalization::rows_view(
    DnnlContext& ctx, const memory& batched) const {
  // Same bytes, 2-D dims: a handle, no copy.
  return memory(rows_desc_, ctx.engine, batched.get_data_handle());
}

void RowNormalization::forward(
    DnnlContext& ctx, const memory& src, const memory& out) {
  const memory& x = src_adapter_(ctx, src);
  if (src_adapter_.reorders()) {
    adapted_src_ = x;  // the adapter's buffer; backward() reads it again
  }
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, rows_view(ctx, x)}, {DNNL_ARG_DST, rows_view(ctx, out)}};
  if (affine_) {
    args[DNNL_ARG_SCALE] = scale_;
    args[DNNL_ARG_SHIFT] = shift_;
  }
  if (training()) {  // outputs of a training forward
    args[DNNL_ARG_MEAN] = mean_;
    args[DNNL_ARG_VARIANCE] = variance_;
  }
  forward_.execute(ctx.stream, args);
}

void RowNormalization::backward(
    DnnlContext& ctx,
    const memory& src,
    const memory& diff_out,
    const memory& diff_src) {
  if (!diff_src && !affine_) {
    return;  // nothing wanted
  }
  // oneDNN always writes diff_src: without a target, or for a source in
  // another layout, it goes to a row-major buffer made on first use.
  const bool direct = diff_src && plain_src_;
  if (!direct && !diff_src_buffer_) {
    diff_src_buffer_ = memory(plain_desc_, ctx.engine);
  }
  const memory& x = src_adapter_.reorders() ? adapted_src_ : src;
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, rows_view(ctx, x)},
      {DNNL_ARG_MEAN, mean_},
      {DNNL_ARG_VARIANCE, variance_},
      {DNNL_ARG_DIFF_DST, rows_view(ctx, diff_out)},
      {DNNL_ARG_DIFF_SRC,
       rows_view(ctx, direct ? diff_src : diff_src_buffer_)}};
  if (affine_) {
    args[DNNL_ARG_SCALE] = scale_;
    args[DNNL_ARG_SHIFT] = shift_;  // oneDNN 2.6 counts it as an input
    args[DNNL_ARG_DIFF_SCALE] = diff_scale_;
    args[DNNL_ARG_DIFF_SHIFT] = diff_shift_;
  }
  backward_.execute(ctx.stream, args);
  if (diff_src && diff_src_reorder_) {
    memory from = diff_src_buffer_;  // execute() takes non-const refs
    memory to = diff_src;
    diff_src_reorder_->execute(ctx.stream, from, to);
  }
}

std::vector<ArgSpec> row_norm_args(
    ArgSpec first, const std::string& affine_flag) {
  return {
      std::move(first),
      ArgSpec::number("eps", 1e-5, "added to the variance").greater_than(0),
      ArgSpec::boolean(affine_flag, true, "learn weight and bias")};
}

std::vector<LayerParam> row_norm_params(
    const std::string& affine_flag, const std::string& shape) {
  return {
      {"weight", "ones", {}, affine_flag, shape},
      {"bias", "zeros", {}, affine_flag, shape}};
}

std::vector<ParamDecl> RowNormLayer::params() const {
  if (!affine_) return {};
  return {
      {"weight", ParamRole::Weight, affine_shape_, std::nullopt},
      {"bias", ParamRole::Bias, affine_shape_, std::nullopt}};
}

void RowNormLayer::set_params(
    DnnlContext& ctx,
    std::span<const ConstTensorView> params,
    std::span<const ConstTensorView> /*buffers*/) {
  const Shape shapes[] = {affine_shape_, affine_shape_};
  expect_views(
      type(), "parameters", params, std::span(shapes, affine_ ? 2 : 0));
  if (!norm_.prepared()) {
    throw UsageError(
        std::string(type()) + ": set_params() called before prepare()");
  }
  if (!affine_) return;
  ctx.stream.wait();  // a pending forward/backward may read them
  const std::array<memory, 2> to = affine_memories();
  for (std::size_t i = 0; i < 2; ++i) {
    std::memcpy(
        to[i].get_data_handle(),
        params[i].data().data(),
        params[i].data().size_bytes());
  }
}

void RowNormLayer::backward(
    DnnlContext& ctx,
    std::span<const memory> src,
    const memory& /*dst*/,
    const memory& diff_dst,
    std::span<const memory> diff_src) {
  expect_backward_call(
      type(), norm_.training(), src.size(), diff_src.size(), 1);
  backward_rows(ctx, src[0], diff_dst, diff_src[0]);
}

void RowNormLayer::param_grads(
    DnnlContext& ctx, std::span<const TensorView> out) {
  expect_training(type(), "param_grads()", norm_.training());
  if (!affine_) {
    Layer::param_grads(ctx, out);  // checks that none are asked for
    return;
  }
  const std::string prefix = std::string(type()) + ": param_grads() ";
  if (out.size() != 2) {
    throw UsageError(
        prefix + expected_got("2 outputs", std::to_string(out.size())));
  }
  for (const TensorView& o : out) {
    if (!(o.shape() == affine_shape_)) {
      throw ShapeError(
          prefix + expected_got(
                       "outputs of shape " + affine_shape_.to_string(),
                       o.shape().to_string()));
    }
  }
  ctx.stream.wait();
  const std::array<memory, 2> from = affine_grads();
  for (std::size_t i = 0; i < 2; ++i) {
    std::memcpy(
        out[i].data().data(),
        from[i].get_data_handle(),
        out[i].data().size_bytes());
  }
}

}  // namespace initforge::layers_detail
