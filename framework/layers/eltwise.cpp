// SPDX-License-Identifier: Apache-2.0
// Elementwise activations (ReLU, LeakyReLU, Tanh, Sigmoid, GELU) on oneDNN's
// eltwise primitive, working in whatever layout the producer chose; the
// backward reads src (every algorithm here has a src-based derivative).

#include <cmath>
#include <string>
#include <variant>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer_impls.h"
#include "framework/layers/same_layout_layer.h"

namespace initforge::layers_detail {
namespace {

class Eltwise final : public SameLayoutLayer {
 public:
  Eltwise(
      std::string_view type,
      const Shape& shape,
      dnnl::algorithm algorithm,
      float alpha)
      : type_(type), shape_(shape), algorithm_(algorithm), alpha_(alpha) {}

  std::string_view type() const override {
    return type_;
  }
  const Shape& output_shape() const override {
    return shape_;
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&shape_, 1});
    const dnnl::primitive_attr attr = default_attr();
    const dnnl::eltwise_forward::primitive_desc pd(
        dnnl::eltwise_forward::desc(
            forward_prop(phase), algorithm_, src[0], alpha_, 0.0f),
        attr,
        ctx.engine);
    if (phase == Phase::Inference) {
      primitives_.prepare(ctx, pd, nullptr);
      return pd.dst_desc();
    }
    // diff_src and diff_dst in the producer's layout, like src and dst.
    const dnnl::eltwise_backward::primitive_desc bwd(
        dnnl::eltwise_backward::desc(algorithm_, src[0], src[0], alpha_, 0.0f),
        attr,
        ctx.engine,
        pd);
    primitives_.prepare(ctx, pd, &bwd);
    return pd.dst_desc();
  }

 private:
  std::string_view type_;  // one of kLayerTypeNames: static storage
  Shape shape_;
  dnnl::algorithm algorithm_;
  float alpha_;
};

struct Activation {
  dnnl::algorithm algorithm;
  float alpha = 0.0f;
};

Activation activation_of(const LayerOptions& options) {
  using dnnl::algorithm;
  if (const auto* leaky = std::get_if<LeakyReLUOptions>(&options)) {
    if (!std::isfinite(leaky->negative_slope)) {
      throw InvalidArgument(
          "LeakyReLU: expected a finite negative_slope, got " +
          std::to_string(leaky->negative_slope));
    }
    return {algorithm::eltwise_relu, static_cast<float>(leaky->negative_slope)};
  }
  if (const auto* gelu = std::get_if<GELUOptions>(&options)) {
    if (gelu->approximate == "none") {
      return {algorithm::eltwise_gelu_erf};
    }
    if (gelu->approximate == "tanh") {
      return {algorithm::eltwise_gelu_tanh};
    }
    throw InvalidArgument(
        "GELU: expected approximate \"none\" or \"tanh\", got \"" +
        gelu->approximate + "\"");
  }
  if (std::holds_alternative<TanhOptions>(options)) {
    return {algorithm::eltwise_tanh};
  }
  if (std::holds_alternative<SigmoidOptions>(options)) {
    return {algorithm::eltwise_logistic};
  }
  if (std::holds_alternative<ReLUOptions>(options)) {
    return {algorithm::eltwise_relu};
  }
  throw UsageError(
      "make_eltwise: " + std::string(layer_type_name(options)) +
      " is not an elementwise activation");
}

}  // namespace

std::unique_ptr<Layer> make_eltwise(
    const LayerOptions& options, std::span<const Shape> inputs) {
  const std::string_view type = layer_type_name(options);
  expect_input_count(type, inputs, 1);
  const Activation act = activation_of(options);
  return std::make_unique<Eltwise>(type, inputs[0], act.algorithm, act.alpha);
}

}  // namespace initforge::layers_detail
