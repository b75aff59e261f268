// SPDX-License-Identifier: Apache-2.0
// Linear: y = x W^T + b on oneDNN's inner product, weights [out, in].

#include <unordered_map>
#include <vector>

#include "framework/core/error.h"
#include "framework/layers/dense_backward.h"
#include "framework/layers/dense_params.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer_impls.h"

namespace initforge::layers_detail {
namespace {

using dnnl::inner_product_backward_data;
using dnnl::inner_product_backward_weights;
using dnnl::inner_product_forward;

class Linear final : public Layer {
 public:
  Linear(const LinearOptions& options, std::int64_t in_features)
      : options_(options),
        in_features_(in_features),
        output_{options.out_features},
        params_(
            "Linear",
            Shape{options.out_features, in_features},
            {options.out_features, in_features},
            options.bias) {}

  std::string_view type() const override {
    return "Linear";
  }
  const Shape& output_shape() const override {
    return output_;
  }
  std::vector<ParamDecl> params() const override {
    return params_.decls();
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    const std::int64_t in = in_features_;
    const std::int64_t out = options_.out_features;
    const Shape in_shape{in};
    expect_src_descs(type(), src, batch, {&in_shape, 1});
    const bool training = phase == Phase::Training;
    const auto src_md = any_desc({batch, in});
    const auto dst_md = any_desc({batch, out});
    const auto w_md = any_desc({out, in});
    const auto b_md = any_desc({out});
    const auto prop = forward_prop(phase);
    const auto desc =
        options_.bias
            ? inner_product_forward::desc(prop, src_md, w_md, b_md, dst_md)
            : inner_product_forward::desc(prop, src_md, w_md, dst_md);
    const dnnl::primitive_attr attr = default_attr();
    pd_ = inner_product_forward::primitive_desc(desc, attr, ctx.engine);
    primitive_ = inner_product_forward(pd_);
    input_.prepare(ctx, src[0], pd_.src_desc());
    params_.prepare_forward(ctx, pd_, args_);
    if (!training) {
      backward_.reset(params_);
      return pd_.dst_desc();
    }
    const inner_product_backward_data::primitive_desc data_pd(
        inner_product_backward_data::desc(src_md, w_md, dst_md),
        attr,
        ctx.engine,
        pd_);
    const auto weights_desc =
        options_.bias
            ? inner_product_backward_weights::desc(src_md, w_md, b_md, dst_md)
            : inner_product_backward_weights::desc(src_md, w_md, dst_md);
    const inner_product_backward_weights::primitive_desc weights_pd(
        weights_desc, attr, ctx.engine, pd_);
    backward_.prepare(ctx, src[0], pd_, data_pd, weights_pd, params_);
    return pd_.dst_desc();
  }

  void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers) override {
    params_.set_params(ctx, params, buffers);
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    args_[DNNL_ARG_SRC] = input_(ctx, src[0]);
    args_[DNNL_ARG_DST] = dst;
    primitive_.execute(ctx.stream, args_);
  }

  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& /*dst*/,
      const memory& diff_dst,
      std::span<const memory> diff_src) override {
    expect_backward_call(
        type(), backward_.prepared(), src.size(), diff_src.size(), 1);
    // forward() left the source in the primitive's layout (the reorder
    // buffer, or src itself).
    const memory& read = input_.reorders() ? args_.at(DNNL_ARG_SRC) : src[0];
    backward_.run(ctx, read, diff_dst, diff_src[0]);
  }

  void param_grads(DnnlContext& ctx, std::span<const TensorView> out) override {
    params_.param_grads(ctx, out);
  }

 private:
  LinearOptions options_;
  std::int64_t in_features_;
  Shape output_;
  DenseParams params_;
  inner_product_forward::primitive_desc pd_;
  inner_product_forward primitive_;
  InputAdapter input_;
  DenseBackward backward_;
  std::unordered_map<int, memory> args_;
};

}  // namespace

std::unique_ptr<Layer> make_linear(
    const LinearOptions& options, std::span<const Shape> inputs) {
  expect_input_count("Linear", inputs, 1);
  if (options.out_features <= 0) {
    throw ShapeError(
        "Linear: expected out_features > 0, got " +
        std::to_string(options.out_features));
  }
  const Shape& in = inputs[0];
  if (in.rank() != 1) {
    throw ShapeError(
        "Linear: expected a flat input [in_features] per sample, got " +
        in.to_string() + "; add a Flatten layer before it");
  }
  return std::make_unique<Linear>(options, in[0]);
}

}  // namespace initforge::layers_detail
