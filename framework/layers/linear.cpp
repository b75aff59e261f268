// SPDX-License-Identifier: Apache-2.0
// Linear: y = x W^T + b on oneDNN's inner product, weights [out, in].

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dense_layer.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

using dnnl::inner_product_backward_data;
using dnnl::inner_product_backward_weights;
using dnnl::inner_product_forward;

struct LinearOptions {
  std::int64_t out_features = 0;
  bool bias = true;
};

class Linear final : public DenseLayer {
 public:
  Linear(const LinearOptions& options, std::int64_t in_features)
      : DenseLayer(
            "Linear",
            Shape{options.out_features, in_features},
            {options.out_features, in_features},
            options.bias),
        options_(options),
        in_features_(in_features),
        output_{options.out_features} {}

  std::string_view type() const override {
    return "Linear";
  }
  const Shape& output_shape() const override {
    return output_;
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
    const inner_product_forward::primitive_desc pd(desc, attr, ctx.engine);
    if (phase != Phase::Training) {
      return finish_prepare(ctx, src[0], pd, nullptr, nullptr);
    }
    const inner_product_backward_data::primitive_desc data_pd(
        inner_product_backward_data::desc(src_md, w_md, dst_md),
        attr,
        ctx.engine,
        pd);
    const auto weights_desc =
        options_.bias
            ? inner_product_backward_weights::desc(src_md, w_md, b_md, dst_md)
            : inner_product_backward_weights::desc(src_md, w_md, dst_md);
    const inner_product_backward_weights::primitive_desc weights_pd(
        weights_desc, attr, ctx.engine, pd);
    return finish_prepare(ctx, src[0], pd, &data_pd, &weights_pd);
  }

 private:
  LinearOptions options_;
  std::int64_t in_features_;
  Shape output_;
};

std::unique_ptr<Layer> make_linear(
    const LinearOptions& options, std::span<const Shape> inputs) {
  expect_input_count("Linear", inputs, 1);
  const Shape& in = inputs[0];
  if (in.rank() != 1) {
    throw ShapeError(
        "Linear: " +
        expected_got("a flat input [in_features] per sample", in.to_string()) +
        "; add a Flatten layer before it");
  }
  return std::make_unique<Linear>(options, in[0]);
}

const LayerRegistration kLinear{LayerType{
    .name = "Linear",
    .doc = "y = x W^T + b over flat inputs [in_features]",
    .args =
        {ArgSpec::required_integer("out_features", "output size").at_least(1),
         ArgSpec::boolean("bias", true, "learn an additive bias")},
    .params =
        dense_layer_params("[out_features, in_features]", "[out_features]"),
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_linear(
          {.out_features = a.integer("out_features"),
           .bias = a.boolean("bias")},
          inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
