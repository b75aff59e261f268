// SPDX-License-Identifier: Apache-2.0
// Elementwise activations (ReLU, LeakyReLU, Tanh, Sigmoid, GELU, SiLU, Mish)
// on oneDNN's eltwise primitive, working in whatever layout the producer
// chose; the backward reads src (every algorithm here has a src-based
// derivative).

#include <string>
#include <utility>
#include <vector>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/same_layout_layer.h"

namespace initforge::layers_detail {
namespace {

class Eltwise final : public SameLayoutLayer {
 public:
  Eltwise(
      std::string type,
      const Shape& shape,
      dnnl::algorithm algorithm,
      float alpha)
      : type_(std::move(type)),
        shape_(shape),
        algorithm_(algorithm),
        alpha_(alpha) {}

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
  std::string type_;
  Shape shape_;
  dnnl::algorithm algorithm_;
  float alpha_;
};

// The activations ReLU, LeakyReLU, Tanh, Sigmoid, GELU, SiLU and Mish: one
// type each, all on the eltwise primitive. None owns parameters.
LayerType activation(
    std::string name,
    std::string doc,
    std::vector<ArgSpec> args,
    dnnl::algorithm (*algorithm)(const Args&),
    float (*alpha)(const Args&)) {
  LayerType type{.name = name, .doc = std::move(doc), .args = std::move(args)};
  type.make = [name, algorithm, alpha](
                  const Args& a,
                  std::span<const Shape> inputs) -> std::unique_ptr<Layer> {
    expect_input_count(name, inputs, 1);
    return std::make_unique<Eltwise>(name, inputs[0], algorithm(a), alpha(a));
  };
  return type;
}

using dnnl::algorithm;
float no_alpha(const Args&) {
  return 0.0f;
}

const LayerRegistration kReLU{activation(
    "ReLU",
    "max(x, 0)",
    {},
    [](const Args&) { return algorithm::eltwise_relu; },
    no_alpha)};

const LayerRegistration kLeakyReLU{activation(
    "LeakyReLU",
    "max(x, 0) + negative_slope * min(x, 0)",
    {ArgSpec::number("negative_slope", 0.01, "slope for x < 0")},
    [](const Args&) { return algorithm::eltwise_relu; },
    [](const Args& a) {
      return static_cast<float>(a.number("negative_slope"));
    })};

const LayerRegistration kTanh{activation(
    "Tanh",
    "tanh(x)",
    {},
    [](const Args&) { return algorithm::eltwise_tanh; },
    no_alpha)};

const LayerRegistration kSigmoid{activation(
    "Sigmoid",
    "1 / (1 + exp(-x))",
    {},
    [](const Args&) { return algorithm::eltwise_logistic; },
    no_alpha)};

const LayerRegistration kGELU{activation(
    "GELU",
    "x * Phi(x), exact or with the tanh approximation",
    {ArgSpec::choice(
        "approximate", "none", {"none", "tanh"}, "none: erf; tanh: tanh form")},
    [](const Args& a) {
      return a.string("approximate") == "tanh" ? algorithm::eltwise_gelu_tanh
                                               : algorithm::eltwise_gelu_erf;
    },
    no_alpha)};

// oneDNN's swish is x * sigmoid(alpha * x); SiLU is alpha 1.
const LayerRegistration kSiLU{activation(
    "SiLU",
    "x * sigmoid(x)",
    {},
    [](const Args&) { return algorithm::eltwise_swish; },
    [](const Args&) { return 1.0f; })};

const LayerRegistration kMish{activation(
    "Mish",
    "x * tanh(softplus(x)), softplus(x) = log(1 + exp(x))",
    {},
    [](const Args&) { return algorithm::eltwise_mish; },
    no_alpha)};

}  // namespace
}  // namespace initforge::layers_detail
