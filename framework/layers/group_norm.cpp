// SPDX-License-Identifier: Apache-2.0
// GroupNorm: the channels of each sample split into num_groups groups, each
// group normalized over its channels and spatial positions, then a
// per-channel weight * x + bias. oneDNN 2.6 has no group normalization:
// layer_normalization over the [batch x groups, channels/groups x spatial]
// rows of the row-major input, then binary primitives for the affine and
// reductions for its gradients.

#include <cstring>
#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/row_normalization.h"

namespace initforge::layers_detail {
namespace {

using dnnl::algorithm;
using dnnl::binary;

class GroupNorm final : public RowNormLayer {
 public:
  GroupNorm(const Shape& input, std::int64_t groups, double eps, bool affine)
      : RowNormLayer("GroupNorm", input, Shape{input[0]}, eps, affine),
        groups_(groups) {}

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&shape(), 1});
    const std::int64_t c = shape()[0];
    const std::int64_t spatial = shape().numel() / c;
    const memory::desc dst = norm_.prepare(
        ctx,
        src[0],
        batch * groups_,
        c / groups_ * spatial,
        eps(),
        false,
        phase);
    training_ = phase == Phase::Training;
    if (!affine()) return dst;
    // The affine on [batch, channels, spatial] views with [1, channels, 1]
    // weight and bias broadcast; 2-D without spatial positions: oneDNN
    // 2.6's jit binary drops the bias post-op on [batch > 1, channels, 1].
    nc_ =
        spatial == 1 ? plain_desc({batch, c}) : plain_desc({batch, c, spatial});
    vec_ = spatial == 1 ? plain_desc({1, c}) : plain_desc({1, c, 1});
    for (memory* m : {&weight_, &bias_}) {
      if (!*m) *m = memory(vec_, ctx.engine);
    }
    const dnnl::primitive_attr attr = default_attr();
    dnnl::post_ops add_bias;
    add_bias.append_binary(algorithm::binary_add, vec_);
    dnnl::primitive_attr affine_attr = default_attr();
    affine_attr.set_post_ops(add_bias);
    scale_shift_ = binary(binary::primitive_desc(
        binary::desc(algorithm::binary_mul, nc_, vec_, nc_),
        affine_attr,
        ctx.engine));
    xhat_ = tmp_ = diff_weight_ = diff_bias_ = memory();
    if (!training_) return dst;
    // Backward: dy * weight into the normalization's backward; the weight
    // gradient sum(dy * xhat) and the bias gradient sum(dy) over batch and
    // spatial positions.
    xhat_ = memory(dst, ctx.engine);
    tmp_ = memory(dst, ctx.engine);
    diff_weight_ = memory(vec_, ctx.engine);
    diff_bias_ = memory(vec_, ctx.engine);
    std::memset(diff_weight_.get_data_handle(), 0, vec_.get_size());
    std::memset(diff_bias_.get_data_handle(), 0, vec_.get_size());
    scale_by_weight_ = binary(binary::primitive_desc(
        binary::desc(algorithm::binary_mul, nc_, vec_, nc_), attr, ctx.engine));
    multiply_ = binary(binary::primitive_desc(
        binary::desc(algorithm::binary_mul, nc_, nc_, nc_), attr, ctx.engine));
    // One sample without spatial positions has nothing to sum, and oneDNN
    // refuses such a reduction: a copy then (same argument keys).
    if (nc_ == vec_) {
      sum_ = dnnl::reorder(dnnl::reorder::primitive_desc(
          ctx.engine, nc_, ctx.engine, vec_, attr));
    } else {
      sum_ = dnnl::reduction(dnnl::reduction::primitive_desc(
          dnnl::reduction::desc(algorithm::reduction_sum, nc_, vec_, 0.f, 0.f),
          attr,
          ctx.engine));
    }
    return dst;
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    if (!affine()) {
      norm_.forward(ctx, src[0], dst);
      return;
    }
    // Training keeps the normalized values for the weight gradient;
    // inference applies the affine in place.
    const memory& normalized = training_ ? xhat_ : dst;
    norm_.forward(ctx, src[0], normalized);
    scale_shift_.execute(
        ctx.stream,
        {{DNNL_ARG_SRC_0, view(ctx, nc_, normalized)},
         {DNNL_ARG_SRC_1, weight_},
         {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, bias_},
         {DNNL_ARG_DST, view(ctx, nc_, dst)}});
  }

  void backward_rows(
      DnnlContext& ctx,
      const memory& src,
      const memory& diff_dst,
      const memory& diff_src) override {
    if (!affine()) {
      norm_.backward(ctx, src, diff_dst, diff_src);
      return;
    }
    const memory dy = view(ctx, nc_, diff_dst);
    const memory tmp = view(ctx, nc_, tmp_);
    multiply_.execute(
        ctx.stream,
        {{DNNL_ARG_SRC_0, dy},
         {DNNL_ARG_SRC_1, view(ctx, nc_, xhat_)},
         {DNNL_ARG_DST, tmp}});
    sum_.execute(
        ctx.stream, {{DNNL_ARG_SRC, tmp}, {DNNL_ARG_DST, diff_weight_}});
    sum_.execute(ctx.stream, {{DNNL_ARG_SRC, dy}, {DNNL_ARG_DST, diff_bias_}});
    if (!diff_src) return;
    // The stream is in order: tmp_ is free again once the sum has run.
    scale_by_weight_.execute(
        ctx.stream,
        {{DNNL_ARG_SRC_0, dy}, {DNNL_ARG_SRC_1, weight_}, {DNNL_ARG_DST, tmp}});
    norm_.backward(ctx, src, tmp_, diff_src);
  }

 private:
  std::array<memory, 2> affine_memories() const override {
    return {weight_, bias_};
  }
  std::array<memory, 2> affine_grads() const override {
    return {diff_weight_, diff_bias_};
  }

  // `m`'s bytes with other dims: a handle, no copy.
  static memory view(DnnlContext& ctx, const memory::desc& d, const memory& m) {
    return memory(d, ctx.engine, m.get_data_handle());
  }

  std::int64_t groups_;
  bool training_ = false;
  memory::desc nc_;   // plain [batch, channels(, spatial)]
  memory::desc vec_;  // plain [1, channels(, 1)]
  memory weight_, bias_;
  binary scale_shift_;  // x * weight + bias
  // Training with affine: the normalized input, a scratch of its size, the
  // parameter gradients and the backward primitives.
  memory xhat_, tmp_, diff_weight_, diff_bias_;
  binary scale_by_weight_, multiply_;
  dnnl::primitive sum_;  // reduction over batch and spatial positions
};

std::unique_ptr<Layer> make_group_norm(
    const Args& a, std::span<const Shape> inputs) {
  expect_input_count("GroupNorm", inputs, 1);
  const Shape& in = inputs[0];
  if (in.rank() < 1) {
    throw ShapeError(
        "GroupNorm: " +
        expected_got("an input [channels, ...] per sample", in.to_string()));
  }
  const std::int64_t groups = a.integer("num_groups");
  if (in[0] % groups != 0) {
    throw ShapeError(
        "GroupNorm: " + expected_got(
                            "num_groups (" + std::to_string(groups) +
                                ") to divide the input's channels",
                            "input " + in.to_string() + " with " +
                                std::to_string(in[0]) + " channels"));
  }
  return std::make_unique<GroupNorm>(
      in, groups, a.number("eps"), a.boolean("affine"));
}

// nn.GroupNorm.reset_parameters: weight ones, bias zeros.
const LayerRegistration kGroupNorm{LayerType{
    .name = "GroupNorm",
    .doc = "normalization over groups of channels (with their spatial "
           "positions) of [channels, ...], then a per-channel affine",
    .args = row_norm_args(
        ArgSpec::required_integer(
            "num_groups", "groups the channels are split into")
            .at_least(1),
        "affine"),
    .params = row_norm_params("affine", "[channels]"),
    .make = make_group_norm}};

}  // namespace
}  // namespace initforge::layers_detail
