// SPDX-License-Identifier: Apache-2.0
// ScalarMultiplier (x * weight) and ScalarBias (x + bias): one learnable
// scalar over the whole input, what Fixup, SkipInit and ReZero add to a
// residual branch. Host loops (host_loops.h) in the producer's layout:
// oneDNN 2.6's binary primitive with a scalar operand runs its reference
// implementation on blocked layouts (~0.6 s for 2M values on nChw16c here),
// and eltwise_linear compiles the scalar into its kernel, so every
// optimizer step would build a new primitive.

#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/host_loops.h"

namespace initforge::layers_detail {
namespace {

enum class ScalarOp { Multiply, Add };

class ScalarAffine final : public Layer {
 public:
  ScalarAffine(ScalarOp op, const Shape& shape)
      : op_(op),
        shape_(shape),
        value_(op == ScalarOp::Multiply ? 1.0f : 0.0f) {}

  std::string_view type() const override {
    return op_ == ScalarOp::Multiply ? "ScalarMultiplier" : "ScalarBias";
  }
  const Shape& output_shape() const override {
    return shape_;
  }

  // A scalar has no fans; the builder's default is the type's: ones/zeros.
  std::vector<ParamDecl> params() const override {
    if (op_ == ScalarOp::Multiply) {
      return {{"weight", ParamRole::Weight, Shape{1}, std::nullopt}};
    }
    return {{"bias", ParamRole::Bias, Shape{1}, std::nullopt}};
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&shape_, 1});
    floats_ = dense_floats(type(), src[0]);
    padding_.prepare(ctx, src[0]);
    layout_ = src[0];
    training_ = phase == Phase::Training;
    return src[0];
  }

  void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers) override {
    const Shape scalar{1};
    expect_views(type(), "parameters", params, {&scalar, 1});
    expect_views(type(), "buffers", buffers, {});
    ctx.stream.wait();  // a pending host loop may read it
    value_ = params[0].data()[0];
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    expect_layout(type(), "forward() src", src[0], layout_);
    expect_layout(type(), "forward() dst", dst, layout_);
    ctx.stream.wait();  // the host reads what primitives wrote
    const float* x = host_data(src[0]);
    float* y = host_data(dst);
    const float v = value_;
    if (op_ == ScalarOp::Multiply) {
      parallel_chunks(floats_, [=](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) y[i] = x[i] * v;
      });
    } else {
      parallel_chunks(floats_, [=](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) y[i] = x[i] + v;
      });
    }
    padding_.zero(y);  // + bias made it nonzero
  }

  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& /*dst*/,
      const memory& diff_dst,
      std::span<const memory> diff_src) override {
    expect_backward_call(type(), training_, src.size(), diff_src.size(), 1);
    expect_layout(type(), "backward() src", src[0], layout_);
    expect_layout(type(), "backward() diff_dst", diff_dst, layout_);
    ctx.stream.wait();
    const float* x = host_data(src[0]);
    const float* g = host_data(diff_dst);
    // The padding is zero in both operands, so it adds nothing.
    grad_ = op_ == ScalarOp::Multiply ? dot(g, x, floats_) : sum(g, floats_);
    if (!diff_src[0]) {
      return;  // the model input: only the parameter's gradient
    }
    expect_layout(type(), "backward() diff_src", diff_src[0], layout_);
    float* out = host_data(diff_src[0]);
    if (op_ == ScalarOp::Add && out == g) {
      return;  // diff_src aliased to diff_dst already holds it
    }
    const float v = op_ == ScalarOp::Multiply ? value_ : 1.0f;
    parallel_chunks(floats_, [=](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) out[i] = g[i] * v;
    });
    padding_.zero(out);
  }

  void param_grads(DnnlContext& ctx, std::span<const TensorView> out) override {
    expect_training(type(), "param_grads()", training_);
    if (out.size() != 1 || !(out[0].shape() == Shape{1})) {
      throw ShapeError(
          std::string(type()) + ": param_grads() " +
          expected_got(
              "1 output of shape [1]",
              std::to_string(out.size()) +
                  (out.empty() ? ""
                               : " of shape " + out[0].shape().to_string())));
    }
    ctx.stream.wait();
    out[0].data()[0] = static_cast<float>(grad_);
  }

 private:
  ScalarOp op_;
  Shape shape_;
  float value_;  // the parameter
  bool training_ = false;
  memory::desc layout_;  // of src, dst and their gradients
  std::size_t floats_ = 0;
  PaddingRuns padding_;
  double grad_ = 0.0;  // of the last backward()
};

LayerType scalar_layer(ScalarOp op, std::string name, std::string doc) {
  const bool multiply = op == ScalarOp::Multiply;
  LayerType type{
      .name = name,
      .doc = std::move(doc),
      .params = {
          {multiply ? "weight" : "bias",
           multiply ? "ones" : "zeros",
           {},
           "",
           "[1]"}}};
  type.make = [op, name](const Args&, std::span<const Shape> inputs) {
    expect_input_count(name, inputs, 1);
    return std::unique_ptr<Layer>(
        std::make_unique<ScalarAffine>(op, inputs[0]));
  };
  return type;
}

const LayerRegistration kScalarMultiplier{scalar_layer(
    ScalarOp::Multiply,
    "ScalarMultiplier",
    "x * weight, one learnable scalar (Fixup, SkipInit, ReZero)")};

const LayerRegistration kScalarBias{scalar_layer(
    ScalarOp::Add, "ScalarBias", "x + bias, one learnable scalar (Fixup)")};

}  // namespace
}  // namespace initforge::layers_detail
