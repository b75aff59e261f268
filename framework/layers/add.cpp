// SPDX-License-Identifier: Apache-2.0
// Add: elementwise sum of N >= 2 inputs of one shape (residual connections),
// on oneDNN's sum primitive, which accepts a different layout per input.

#include <string>
#include <unordered_map>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

class Add final : public Layer {
 public:
  Add(const Shape& shape, std::size_t count) : shape_(shape), count_(count) {}

  std::string_view type() const override {
    return "Add";
  }
  const Shape& output_shape() const override {
    return shape_;
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    const std::vector<Shape> shapes(count_, shape_);
    expect_src_descs(type(), src, batch, shapes);
    // dst takes the first non-plain input's layout (a conv's choice, which
    // the next conv wants too); all-plain inputs give a plain dst.
    memory::desc dst = src[0];
    for (const memory::desc& md : src) {
      if (!(md == plain_desc(md.dims()))) {
        dst = md;
        break;
      }
    }
    pd_ = dnnl::sum::primitive_desc(
        dst,
        std::vector<float>(count_, 1.0f),
        {src.begin(), src.end()},
        ctx.engine,
        default_attr());
    primitive_ = dnnl::sum(pd_);
    training_ = phase == Phase::Training;
    // d(sum)/d(src_i) = 1: each diff_src is diff_dst in src_i's layout, a
    // reorder (a plain copy when the layouts agree).
    backward_.clear();
    if (training_) {
      for (const memory::desc& md : src) {
        backward_.emplace_back(dnnl::reorder::primitive_desc(
            ctx.engine, pd_.dst_desc(), ctx.engine, md, default_attr()));
      }
    }
    return pd_.dst_desc();
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    for (std::size_t i = 0; i < count_; ++i) {
      args_[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = src[i];
    }
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
        type(), training_, src.size(), diff_src.size(), count_);
    memory in = diff_dst;  // handle copies: execute() takes non-const refs
    for (std::size_t i = 0; i < count_; ++i) {
      if (!diff_src[i]) {
        continue;  // no gradient wanted for this input
      }
      if (diff_src[i].get_data_handle() == in.get_data_handle() &&
          diff_src[i].get_desc() == in.get_desc()) {
        continue;  // the caller aliased it to diff_dst: already holds it
      }
      memory out = diff_src[i];
      backward_[i].execute(ctx.stream, in, out);
    }
  }

 private:
  Shape shape_;
  std::size_t count_;
  dnnl::sum::primitive_desc pd_;
  dnnl::sum primitive_;
  bool training_ = false;
  std::vector<dnnl::reorder> backward_;  // diff_dst -> diff_src[i]
  std::unordered_map<int, memory> args_;
};

std::unique_ptr<Layer> make_add(std::span<const Shape> inputs) {
  if (inputs.size() < 2) {
    throw ShapeError(
        "Add: " +
        expected_got("at least 2 inputs", std::to_string(inputs.size())));
  }
  expect_input_count("Add", inputs, inputs.size());  // dimensions > 0
  for (std::size_t i = 1; i < inputs.size(); ++i) {
    if (!(inputs[i] == inputs[0])) {
      throw ShapeError(
          "Add: " +
          expected_got(
              "every input to have the shape of input 0 " +
                  inputs[0].to_string(),
              inputs[i].to_string() + " for input " + std::to_string(i)));
    }
  }
  return std::make_unique<Add>(inputs[0], inputs.size());
}

const LayerRegistration kAdd{LayerType{
    .name = "Add",
    .doc = "elementwise sum of two or more inputs of one shape (residuals)",
    .inputs = LayerInputs::TwoOrMore,
    .make = [](const Args&, std::span<const Shape> inputs) {
      return make_add(inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
