// SPDX-License-Identifier: Apache-2.0
// ELU, SELU and Hardswish: forward on oneDNN's eltwise primitive (SELU adds
// an in-place eltwise_linear for its scale), backward as PyTorch 1.13 has it
// at the derivative's branch points, where oneDNN 2.6 differs: its ELU
// derivative picks the x > 0 branch by exp(x) > 1, so 0 < x < 6e-8 gets
// alpha (PyTorch: 1), and its Hardswish derivative is 0 at x = -3 and 1 at
// x = 3 (PyTorch: -0.5 and 1.5). Those derivatives are host loops
// (host_loops.h); ELU with alpha 1, whose branches agree there, keeps
// oneDNN's.

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/host_loops.h"

namespace initforge::layers_detail {
namespace {

using dnnl::eltwise_backward;
using dnnl::eltwise_forward;

// Writes diff_src[i] for i in [begin, end) from src and diff_dst.
using HostDerivative = std::function<void(
    const float* x,
    const float* g,
    float* out,
    std::size_t begin,
    std::size_t end)>;

struct EltwiseSpec {
  dnnl::algorithm algorithm;
  float alpha = 0.0f;
  float scale = 1.0f;         // dst *= scale after the primitive (SELU)
  HostDerivative derivative;  // empty: oneDNN's backward is PyTorch's
};

class HostBackwardEltwise final : public Layer {
 public:
  HostBackwardEltwise(std::string type, const Shape& shape, EltwiseSpec spec)
      : type_(std::move(type)), shape_(shape), spec_(std::move(spec)) {}

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
    const eltwise_forward::primitive_desc pd(
        eltwise_forward::desc(
            forward_prop(phase), spec_.algorithm, src[0], spec_.alpha, 0.0f),
        attr,
        ctx.engine);
    scale_ = eltwise_forward();
    if (spec_.scale != 1.0f) {
      scale_ = eltwise_forward(eltwise_forward::primitive_desc(
          eltwise_forward::desc(
              dnnl::prop_kind::forward_inference,
              dnnl::algorithm::eltwise_linear,
              pd.dst_desc(),
              spec_.scale,
              0.0f),
          attr,
          ctx.engine));
    }
    training_ = phase == Phase::Training;
    layout_ = src[0];
    if (training_ && !spec_.derivative) {
      const eltwise_backward::primitive_desc bwd(
          eltwise_backward::desc(
              spec_.algorithm, src[0], src[0], spec_.alpha, 0.0f),
          attr,
          ctx.engine,
          pd);
      primitives_.prepare(ctx, pd, &bwd);
      return pd.dst_desc();
    }
    primitives_.prepare(ctx, pd, nullptr);
    if (training_) {
      floats_ = dense_floats(type(), src[0]);
      padding_.prepare(ctx, src[0]);
    }
    return pd.dst_desc();
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    primitives_.forward(ctx, src[0], dst);
    if (scale_) {
      memory out = dst;  // in place; execute() takes non-const refs
      scale_.execute(ctx.stream, {{DNNL_ARG_SRC, out}, {DNNL_ARG_DST, out}});
    }
  }

  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& dst,
      const memory& diff_dst,
      std::span<const memory> diff_src) override {
    if (!spec_.derivative) {
      primitives_.backward(ctx, type(), src, dst, diff_dst, diff_src);
      return;
    }
    expect_backward_call(type(), training_, src.size(), diff_src.size(), 1);
    if (!diff_src[0]) {
      return;
    }
    expect_layout(type(), "backward() src", src[0], layout_);
    expect_layout(type(), "backward() diff_dst", diff_dst, layout_);
    expect_layout(type(), "backward() diff_src", diff_src[0], layout_);
    ctx.stream.wait();  // the host reads what primitives wrote
    const float* x = host_data(src[0]);
    const float* g = host_data(diff_dst);
    float* out = host_data(diff_src[0]);
    parallel_chunks(floats_, [&](std::size_t begin, std::size_t end) {
      spec_.derivative(x, g, out, begin, end);
    });
    padding_.zero(out);
  }

 private:
  std::string type_;
  Shape shape_;
  EltwiseSpec spec_;
  bool training_ = false;
  SameLayoutPrimitives primitives_;  // the backward only without derivative
  eltwise_forward scale_;            // null unless spec_.scale != 1
  memory::desc layout_;              // of src, dst and their gradients
  std::size_t floats_ = 0;           // in the buffer of layout_
  PaddingRuns padding_;
};

LayerType host_backward_activation(
    std::string name,
    std::string doc,
    std::vector<ArgSpec> args,
    EltwiseSpec (*spec)(const Args&)) {
  LayerType type{.name = name, .doc = std::move(doc), .args = std::move(args)};
  type.make = [name, spec](
                  const Args& a,
                  std::span<const Shape> inputs) -> std::unique_ptr<Layer> {
    expect_input_count(name, inputs, 1);
    return std::make_unique<HostBackwardEltwise>(name, inputs[0], spec(a));
  };
  return type;
}

// PyTorch's elu_backward (is_result false): scale on x > 0, else
// g * (alpha * scale) * exp(x), in that order of roundings.
HostDerivative elu_derivative(float alpha, float scale) {
  const float negcoef = alpha * scale;
  return [negcoef, scale](
             const float* x,
             const float* g,
             float* out,
             std::size_t begin,
             std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      out[i] = x[i] <= 0.0f ? g[i] * negcoef * std::exp(x[i]) : g[i] * scale;
    }
  };
}

// PyTorch's hardswish_backward: 0 below -3, x / 3 + 0.5 on [-3, 3], 1 above.
void hardswish_derivative(
    const float* x,
    const float* g,
    float* out,
    std::size_t begin,
    std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    const float v = x[i];
    out[i] = v < -3.0f ? 0.0f : v <= 3.0f ? g[i] * (v / 3.0f + 0.5f) : g[i];
  }
}

// torch.nn.SELU's constants (as PyTorch, rounded to float).
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

const LayerRegistration kELU{host_backward_activation(
    "ELU",
    "x for x > 0, alpha * (exp(x) - 1) otherwise",
    {ArgSpec::number("alpha", 1.0, "scale of the negative part")},
    [](const Args& a) {
      const auto alpha = static_cast<float>(a.number("alpha"));
      return EltwiseSpec{
          .algorithm = dnnl::algorithm::eltwise_elu,
          .alpha = alpha,
          .derivative =
              alpha == 1.0f ? HostDerivative{} : elu_derivative(alpha, 1.0f)};
    })};

const LayerRegistration kSELU{host_backward_activation(
    "SELU",
    "scale * ELU(x, alpha) with alpha = 1.6732632, scale = 1.0507010",
    {},
    [](const Args&) {
      const auto alpha = static_cast<float>(kSeluAlpha);
      const auto scale = static_cast<float>(kSeluScale);
      return EltwiseSpec{
          .algorithm = dnnl::algorithm::eltwise_elu,
          .alpha = alpha,
          .scale = scale,
          .derivative = elu_derivative(alpha, scale)};
    })};

const LayerRegistration kHardswish{host_backward_activation(
    "Hardswish", "x * min(max(x + 3, 0), 6) / 6", {}, [](const Args&) {
      return EltwiseSpec{
          .algorithm = dnnl::algorithm::eltwise_hardswish,
          .derivative = hardswish_derivative};
    })};

}  // namespace
}  // namespace initforge::layers_detail
