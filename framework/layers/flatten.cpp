// SPDX-License-Identifier: Apache-2.0
// Flatten (PyTorch semantics on the batched tensor). The output is row-major,
// so a blocked producer layout is reordered to plain once per forward (and
// diff_dst back into that layout once per backward).

#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

struct FlattenOptions {
  std::int64_t start_dim = 1;
  std::int64_t end_dim = -1;
};

class Flatten final : public Layer {
 public:
  Flatten(const Shape& input, const Shape& output)
      : input_shape_(input), output_(output) {}

  std::string_view type() const override {
    return "Flatten";
  }
  const Shape& output_shape() const override {
    return output_;
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&input_shape_, 1});
    // The plain input layout has exactly the bytes of the flattened output.
    const memory::desc plain_in = plain_desc(batched_dims(batch, input_shape_));
    src_is_plain_ = src[0] == plain_in;
    reorder_ = dnnl::reorder(dnnl::reorder::primitive_desc(
        ctx.engine, src[0], ctx.engine, plain_in, default_attr()));
    dst_view_ = memory(plain_in, ctx.engine, nullptr);
    training_ = phase == Phase::Training;
    if (training_) {
      // Backward is the inverse relayout: diff_dst (row-major, the bytes of
      // the plain input) into diff_src's layout, src's.
      backward_reorder_ = dnnl::reorder(dnnl::reorder::primitive_desc(
          ctx.engine, plain_in, ctx.engine, src[0], default_attr()));
      diff_dst_view_ = memory(plain_in, ctx.engine, nullptr);
    } else {
      backward_reorder_ = dnnl::reorder();
      diff_dst_view_ = memory();
    }
    return plain_desc(batched_dims(batch, output_));
  }

  bool output_aliases_input() const override {
    return src_is_plain_;
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    void* out = dst.get_data_handle();
    if (src_is_plain_ && src[0].get_data_handle() == out) {
      return;  // the caller aliased dst to a plain src: nothing to move
    }
    memory in = src[0];
    dst_view_.set_data_handle(out);
    reorder_.execute(ctx.stream, in, dst_view_);
  }

  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& /*dst*/,
      const memory& diff_dst,
      std::span<const memory> diff_src) override {
    expect_backward_call(type(), training_, src.size(), diff_src.size(), 1);
    if (!diff_src[0]) {
      return;
    }
    void* in = diff_dst.get_data_handle();
    if (src_is_plain_ && diff_src[0].get_data_handle() == in) {
      return;  // the caller aliased diff_src to diff_dst: same bytes
    }
    memory out = diff_src[0];
    diff_dst_view_.set_data_handle(in);
    backward_reorder_.execute(ctx.stream, diff_dst_view_, out);
  }

 private:
  Shape input_shape_;
  Shape output_;
  bool src_is_plain_ = false;
  dnnl::reorder reorder_;
  memory dst_view_;  // dst's buffer seen with the input's dims
  bool training_ = false;
  dnnl::reorder backward_reorder_;
  memory diff_dst_view_;  // diff_dst's buffer seen with the input's dims
};

std::int64_t normalize_dim(
    const char* name, std::int64_t dim, std::size_t rank, const Shape& in) {
  const auto r = static_cast<std::int64_t>(rank);
  if (dim < -r || dim >= r) {
    throw ShapeError(
        "Flatten: " +
        expected_got(
            std::string(name) + " in [" + std::to_string(-r) + ", " +
                std::to_string(r - 1) + "] for the " + std::to_string(r) +
                "-D batched input [N" +
                (rank > 1 ? ", " + in.to_string().substr(1) : "]"),
            std::to_string(dim)));
  }
  return dim < 0 ? dim + r : dim;
}

std::unique_ptr<Layer> make_flatten(
    const FlattenOptions& options, std::span<const Shape> inputs) {
  expect_input_count("Flatten", inputs, 1);
  const Shape& in = inputs[0];
  const std::size_t rank = in.rank() + 1;  // with the batch dimension
  const std::int64_t start =
      normalize_dim("start_dim", options.start_dim, rank, in);
  const std::int64_t end = normalize_dim("end_dim", options.end_dim, rank, in);
  if (start == 0) {
    throw ShapeError(
        "Flatten: " + expected_got(
                          "start_dim >= 1 (dimension 0 is the batch)",
                          std::to_string(options.start_dim)));
  }
  if (start > end) {
    throw ShapeError(
        "Flatten: " + expected_got("start_dim <= end_dim", "start_dim ") +
        std::to_string(options.start_dim) + " (dimension " +
        std::to_string(start) + ") after end_dim " +
        std::to_string(options.end_dim) + " (dimension " + std::to_string(end) +
        ")");
  }
  // Batched dimension d is sample dimension d - 1.
  std::vector<std::int64_t> out;
  for (std::int64_t d = 1; d < start; ++d) {
    out.push_back(in[static_cast<std::size_t>(d - 1)]);
  }
  std::int64_t merged = 1;
  for (std::int64_t d = start; d <= end; ++d) {
    merged *= in[static_cast<std::size_t>(d - 1)];  // <= numel: no overflow
  }
  out.push_back(merged);
  for (auto d = static_cast<std::size_t>(end) + 1; d < rank; ++d) {
    out.push_back(in[d - 1]);
  }
  return std::make_unique<Flatten>(in, Shape(out));
}

const LayerRegistration kFlatten{LayerType{
    .name = "Flatten",
    .doc = "merges dimensions start_dim..end_dim of the batched tensor",
    .args =
        {ArgSpec::integer("start_dim", 1, "first dimension merged"),
         ArgSpec::integer("end_dim", -1, "last dimension merged")},
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_flatten(
          {.start_dim = a.integer("start_dim"),
           .end_dim = a.integer("end_dim")},
          inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
