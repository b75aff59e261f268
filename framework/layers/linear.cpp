// SPDX-License-Identifier: Apache-2.0
// Linear: y = x W^T + b on oneDNN's inner product, weights [out, in].

#include <unordered_map>
#include <vector>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer_impls.h"

namespace initforge::layers_detail {
namespace {

class Linear final : public Layer {
 public:
  Linear(const LinearOptions& options, std::int64_t in_features)
      : options_(options),
        output_{options.out_features},
        weight_shape_{options.out_features, in_features} {}

  std::string_view type() const override {
    return "Linear";
  }
  const Shape& output_shape() const override {
    return output_;
  }

  std::vector<ParamDecl> params() const override {
    const Fans fans = compute_fans(weight_shape_);
    std::vector<ParamDecl> decls{
        {"weight", ParamRole::Weight, weight_shape_, fans}};
    if (options_.bias) {
      decls.push_back({"bias", ParamRole::Bias, output_, fans});
    }
    return decls;
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src) override {
    const Shape in_shape{weight_shape_[1]};
    expect_src_descs(type(), src, batch, {&in_shape, 1});
    const memory::dims w_dims{weight_shape_[0], weight_shape_[1]};
    const auto src_md = any_desc({batch, weight_shape_[1]});
    const auto dst_md = any_desc({batch, weight_shape_[0]});
    const auto w_md = any_desc(w_dims);
    constexpr auto kProp = dnnl::prop_kind::forward_inference;
    const auto desc =
        options_.bias
            ? dnnl::inner_product_forward::desc(
                  kProp, src_md, w_md, any_desc({w_dims[0]}), dst_md)
            : dnnl::inner_product_forward::desc(kProp, src_md, w_md, dst_md);
    pd_ = dnnl::inner_product_forward::primitive_desc(
        desc, default_attr(), ctx.engine);
    primitive_ = dnnl::inner_product_forward(pd_);
    input_.prepare(ctx, src[0], pd_.src_desc());
    // A re-prepare may pick another weight layout: keep loaded values.
    weights_ = relayout(ctx, loaded_ ? weights_ : memory(), pd_.weights_desc());
    args_[DNNL_ARG_WEIGHTS] = weights_;
    if (options_.bias) {
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
      shapes.push_back(output_);
    }
    expect_views(type(), "parameters", params, shapes);
    expect_views(type(), "buffers", buffers, {});
    if (!primitive_) {
      throw UsageError("Linear: set_params() called before prepare()");
    }
    load_logical(
        ctx, params[0], {weight_shape_[0], weight_shape_[1]}, weights_);
    if (options_.bias) {
      load_logical(ctx, params[1], {weight_shape_[0]}, bias_);
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
  LinearOptions options_;
  Shape output_;
  Shape weight_shape_;
  // Kept after prepare(): the hint for the backward primitive descs.
  dnnl::inner_product_forward::primitive_desc pd_;
  dnnl::inner_product_forward primitive_;
  InputAdapter input_;
  memory weights_;
  memory bias_;
  bool loaded_ = false;
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
