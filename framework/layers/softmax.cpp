// SPDX-License-Identifier: Apache-2.0
// Softmax over one axis of the batched tensor (PyTorch's `dim`).

#include <string>
#include <unordered_map>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer_impls.h"

namespace initforge::layers_detail {
namespace {

class Softmax final : public Layer {
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
      std::span<const memory::desc> src) override {
    expect_src_descs(type(), src, batch, {&shape_, 1});
    const dnnl::softmax_forward::desc desc(
        dnnl::prop_kind::forward_inference, src[0], axis_);
    pd_ =
        dnnl::softmax_forward::primitive_desc(desc, default_attr(), ctx.engine);
    primitive_ = dnnl::softmax_forward(pd_);
    return pd_.dst_desc();
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    args_[DNNL_ARG_SRC] = src[0];
    args_[DNNL_ARG_DST] = dst;
    primitive_.execute(ctx.stream, args_);
  }

 private:
  Shape shape_;
  int axis_;  // in the batched tensor
  // Kept after prepare(): the hint for the backward primitive desc.
  dnnl::softmax_forward::primitive_desc pd_;
  dnnl::softmax_forward primitive_;
  std::unordered_map<int, memory> args_;
};

}  // namespace

std::unique_ptr<Layer> make_softmax(
    const SoftmaxOptions& options, std::span<const Shape> inputs) {
  expect_input_count("Softmax", inputs, 1);
  const auto rank = static_cast<std::int64_t>(inputs[0].rank()) + 1;
  const std::int64_t dim = options.dim;
  if (dim < -rank || dim >= rank) {
    throw ShapeError(
        "Softmax: expected dim in [" + std::to_string(-rank) + ", " +
        std::to_string(rank - 1) + "] for the " + std::to_string(rank) +
        "-D batched input (sample " + inputs[0].to_string() + "), got " +
        std::to_string(dim));
  }
  const auto axis = static_cast<int>(dim < 0 ? dim + rank : dim);
  return std::make_unique<Softmax>(inputs[0], axis);
}

}  // namespace initforge::layers_detail
