// SPDX-License-Identifier: Apache-2.0
// Concat: torch.cat of N >= 2 inputs along one dimension (channels by
// default), on oneDNN's concat primitive, which accepts a different layout
// per input. Backward hands each input its slice of diff_dst.

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

class Concat final : public Layer {
 public:
  Concat(std::vector<Shape> inputs, int axis, Shape output)
      : inputs_(std::move(inputs)), axis_(axis), output_(std::move(output)) {}

  std::string_view type() const override {
    return "Concat";
  }
  const Shape& output_shape() const override {
    return output_;
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, inputs_);
    // oneDNN picks dst's layout from the inputs' (the first one's where it
    // can), so a conv's blocked output stays blocked.
    pd_ = dnnl::concat::primitive_desc(
        axis_, {src.begin(), src.end()}, ctx.engine, default_attr());
    primitive_ = dnnl::concat(pd_);
    training_ = phase == Phase::Training;
    split_.clear();
    to_split_.reset();
    split_buffer_ = memory();
    if (training_) {
      prepare_backward(ctx, batch, src);
    }
    return pd_.dst_desc();
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    for (std::size_t i = 0; i < src.size(); ++i) {
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
        type(), training_, src.size(), diff_src.size(), inputs_.size());
    void* whole = diff_dst.get_data_handle();
    if (to_split_) {
      memory in = diff_dst;  // handle copy: execute() takes non-const refs
      to_split_->execute(ctx.stream, in, split_buffer_);
      whole = split_buffer_.get_data_handle();
    }
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
      if (!diff_src[i]) {
        continue;  // no gradient wanted for this input
      }
      Split& s = split_[i];
      s.slice.set_data_handle(whole);  // the slice's offset is in its desc
      memory out = diff_src[i];
      s.reorder.execute(ctx.stream, s.slice, out);
    }
  }

 private:
  // diff_src[i] is the slice of diff_dst at input i's offset along the
  // axis, reordered into src[i]'s layout. A blocked diff_dst whose blocks
  // straddle a slice border is first reordered to row-major.
  void prepare_backward(
      DnnlContext& ctx, std::int64_t batch, std::span<const memory::desc> src) {
    memory::desc whole = pd_.dst_desc();
    std::vector<memory::desc> slices = slice_descs(whole, batch, true);
    if (slices.empty()) {
      const memory::desc plain = plain_desc(whole.dims());
      to_split_.emplace(dnnl::reorder::primitive_desc(
          ctx.engine, whole, ctx.engine, plain, default_attr()));
      split_buffer_ = memory(plain, ctx.engine);
      slices = slice_descs(plain, batch, false);
    }
    for (std::size_t i = 0; i < slices.size(); ++i) {
      split_.push_back(
          {memory(slices[i], ctx.engine, DNNL_MEMORY_NONE),
           dnnl::reorder(dnnl::reorder::primitive_desc(
               ctx.engine, slices[i], ctx.engine, src[i], default_attr()))});
    }
  }

  // The inputs' slices of `whole`; empty when `allow_empty` and the layout
  // cannot express one.
  std::vector<memory::desc> slice_descs(
      const memory::desc& whole, std::int64_t batch, bool allow_empty) const {
    std::vector<memory::desc> slices;
    memory::dims offsets(whole.dims().size(), 0);
    for (const Shape& shape : inputs_) {
      const memory::dims dims = batched_dims(batch, shape);
      const memory::desc slice =
          whole.submemory_desc(dims, offsets, allow_empty);
      if (slice == memory::desc()) {
        return {};
      }
      slices.push_back(slice);
      offsets[axis_] += dims[axis_];
    }
    return slices;
  }

  struct Split {
    memory slice;  // a view of diff_dst (or split_buffer_)
    dnnl::reorder reorder;
  };

  std::vector<Shape> inputs_;
  int axis_;  // in the batched tensor
  Shape output_;
  dnnl::concat::primitive_desc pd_;
  dnnl::concat primitive_;
  bool training_ = false;
  std::vector<Split> split_;
  std::optional<dnnl::reorder> to_split_;  // diff_dst -> row-major
  memory split_buffer_;
  std::unordered_map<int, memory> args_;
};

std::unique_ptr<Layer> make_concat(
    std::int64_t dim, std::span<const Shape> inputs) {
  if (inputs.size() < 2) {
    throw ShapeError(
        "Concat: " +
        expected_got("at least 2 inputs", std::to_string(inputs.size())));
  }
  expect_input_count("Concat", inputs, inputs.size());  // dimensions > 0
  const auto rank = static_cast<std::int64_t>(inputs[0].rank()) + 1;
  if (dim == 0 || dim <= -rank || dim >= rank) {
    throw ShapeError(
        "Concat: " +
        expected_got(
            "dim in [1, " + std::to_string(rank - 1) + "] or [" +
                std::to_string(-rank + 1) + ", -1] for the " +
                std::to_string(rank) + "-D batched input 0 (sample " +
                inputs[0].to_string() + "; 0 is the batch)",
            std::to_string(dim)));
  }
  const auto axis = static_cast<std::size_t>(dim < 0 ? dim + rank : dim);
  std::vector<std::int64_t> out(
      inputs[0].dims().begin(), inputs[0].dims().end());
  for (std::size_t i = 1; i < inputs.size(); ++i) {
    bool same = inputs[i].rank() == inputs[0].rank();
    for (std::size_t d = 0; same && d < inputs[0].rank(); ++d) {
      same = d + 1 == axis || inputs[i][d] == inputs[0][d];
    }
    if (!same) {
      throw ShapeError(
          "Concat: " +
          expected_got(
              "every input to match input 0 " + inputs[0].to_string() +
                  " except along dim " + std::to_string(dim),
              inputs[i].to_string() + " for input " + std::to_string(i)));
    }
    out[axis - 1] += inputs[i][axis - 1];
  }
  return std::make_unique<Concat>(
      std::vector<Shape>(inputs.begin(), inputs.end()),
      static_cast<int>(axis),
      Shape(std::span<const std::int64_t>(out)));
}

const LayerRegistration kConcat{LayerType{
    .name = "Concat",
    .doc = "torch.cat of two or more inputs along one dimension (channels)",
    .args = {ArgSpec::integer(
        "dim",
        1,
        "dimension of the batched tensor, not 0 (the batch); negative "
        "counts back")},
    .inputs = LayerInputs::TwoOrMore,
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_concat(a.integer("dim"), inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
