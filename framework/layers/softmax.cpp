// SPDX-License-Identifier: Apache-2.0
// Softmax over one axis of the batched tensor (PyTorch's `dim`).

#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/same_layout_layer.h"

namespace initforge::layers_detail {
namespace {

class Softmax final : public SameLayoutLayer {
 public:
  Softmax(const Shape& shape, int axis) : shape_(shape), axis_(axis) {}

  std::string_view type() const override {
    return "Softmax";
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
    const dnnl::softmax_forward::primitive_desc pd(
        dnnl::softmax_forward::desc(forward_prop(phase), src[0], axis_),
        attr,
        ctx.engine);
    if (phase == Phase::Inference) {
      primitives_.prepare(ctx, pd, nullptr);
      return pd.dst_desc();
    }
    // The gradient is y * (g - sum(g * y)): it reads dst, not src.
    const dnnl::softmax_backward::primitive_desc bwd(
        dnnl::softmax_backward::desc(pd.dst_desc(), pd.dst_desc(), axis_),
        attr,
        ctx.engine,
        pd);
    primitives_.prepare(ctx, pd, &bwd);
    return pd.dst_desc();
  }

 private:
  Shape shape_;
  int axis_;  // in the batched tensor
};

std::unique_ptr<Layer> make_softmax(
    std::int64_t dim, std::span<const Shape> inputs) {
  expect_input_count("Softmax", inputs, 1);
  const auto rank = static_cast<std::int64_t>(inputs[0].rank()) + 1;
  if (dim < -rank || dim >= rank) {
    throw ShapeError(
        "Softmax: " +
        expected_got(
            "dim in [" + std::to_string(-rank) + ", " +
                std::to_string(rank - 1) + "] for the " + std::to_string(rank) +
                "-D batched input (sample " + inputs[0].to_string() + ")",
            std::to_string(dim)));
  }
  const auto axis = static_cast<int>(dim < 0 ? dim + rank : dim);
  return std::make_unique<Softmax>(inputs[0], axis);
}

const LayerRegistration kSoftmax{LayerType{
    .name = "Softmax",
    .doc = "exp(x) / sum(exp(x)) along one dimension",
    .args = {ArgSpec::integer(
        "dim", 1, "dimension of the batched tensor; negative counts back")},
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_softmax(a.integer("dim"), inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
