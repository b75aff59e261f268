// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/dnnl_util.h"

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge::layers_detail {

memory::dims batched_dims(std::int64_t batch, const Shape& sample) {
  memory::dims dims;
  dims.reserve(sample.rank() + 1);
  dims.push_back(batch);
  for (std::int64_t d : sample.dims()) {
    dims.push_back(d);
  }
  return dims;
}

memory::desc plain_desc(const memory::dims& dims) {
  memory::dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) {
    strides[i - 1] = strides[i] * dims[i];
  }
  return memory::desc(dims, memory::data_type::f32, strides);
}

memory::desc any_desc(const memory::dims& dims) {
  return memory::desc(dims, memory::data_type::f32, memory::format_tag::any);
}

std::string dims_text(const memory::dims& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    text += (i == 0 ? "" : ", ") + std::to_string(dims[i]);
  }
  return text + "]";
}

dnnl::primitive_attr default_attr() {
  dnnl::primitive_attr attr;
  attr.set_fpmath_mode(dnnl::fpmath_mode::strict);
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::library);
  return attr;
}

void expect_input_count(
    std::string_view type,
    std::span<const Shape> inputs,
    std::size_t expected) {
  if (inputs.size() != expected) {
    throw ShapeError(
        std::string(type) + ": " +
        expected_got(
            std::to_string(expected) + " input" + (expected == 1 ? "" : "s"),
            std::to_string(inputs.size())));
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (std::int64_t d : inputs[i].dims()) {
      if (d <= 0) {
        throw ShapeError(
            std::string(type) + ": " +
            expected_got(
                "input " + std::to_string(i) + " to have every dimension > 0",
                inputs[i].to_string()));
      }
    }
  }
}

void expect_src_descs(
    std::string_view type,
    std::span<const memory::desc> src,
    std::int64_t batch,
    std::span<const Shape> samples) {
  if (src.size() != samples.size()) {
    throw ShapeError(
        std::string(type) + ": prepare() " +
        expected_got(
            std::to_string(samples.size()) + " source layouts",
            std::to_string(src.size())));
  }
  for (std::size_t i = 0; i < src.size(); ++i) {
    const memory::dims expected = batched_dims(batch, samples[i]);
    if (src[i].dims() != expected ||
        src[i].data_type() != memory::data_type::f32) {
      throw ShapeError(
          std::string(type) + ": prepare() source " + std::to_string(i) + " " +
          expected_got("f32 " + dims_text(expected), dims_text(src[i].dims())));
    }
  }
}

void expect_views(
    std::string_view type,
    std::string_view what,
    std::span<const ConstTensorView> views,
    std::span<const Shape> expected) {
  if (views.size() != expected.size()) {
    throw ShapeError(
        std::string(type) + ": set_params " +
        expected_got(
            std::to_string(expected.size()) + " " + std::string(what),
            std::to_string(views.size())));
  }
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (!(views[i].shape() == expected[i])) {
      throw ShapeError(
          std::string(type) + ": set_params " + std::string(what) + " " +
          std::to_string(i) + " " +
          expected_got(
              "shape " + expected[i].to_string(),
              views[i].shape().to_string()));
    }
  }
}

std::string pair_text(const IntPair& pair) {
  return std::to_string(pair[0]) + "x" + std::to_string(pair[1]);
}

void expect_at_least(
    std::string_view type,
    std::string_view name,
    const IntPair& option,
    std::int64_t minimum) {
  for (std::int64_t v : option) {
    if (v < minimum || v > kMaxSpatialOption) {
      throw ShapeError(
          std::string(type) + ": " +
          expected_got(
              std::string(name) + " in [" + std::to_string(minimum) + ", " +
                  std::to_string(kMaxSpatialOption) + "]",
              pair_text(option)));
    }
  }
}

IntPair spatial_output(
    std::string_view type,
    const IntPair& input,
    const IntPair& kernel,
    const IntPair& stride,
    const IntPair& padding,
    const IntPair& dilation) {
  IntPair extent{};
  IntPair padded{};
  IntPair output{};
  for (std::size_t a = 0; a < 2; ++a) {
    if (input[a] > (std::int64_t{1} << 60)) {  // keeps the sums below exact
      throw ShapeError(
          std::string(type) + ": " +
          expected_got("spatial sizes <= 2^60", pair_text(input)));
    }
    extent[a] = dilation[a] * (kernel[a] - 1) + 1;
    padded[a] = input[a] + 2 * padding[a];
    output[a] = (padded[a] - extent[a]) / stride[a] + 1;
  }
  if (extent[0] > padded[0] || extent[1] > padded[1]) {
    throw ShapeError(
        std::string(type) + ": " +
        expected_got(
            "a kernel extent of at most the padded input " + pair_text(padded) +
                " (input " + pair_text(input) + ", padding " +
                pair_text(padding) + " on each side)",
            pair_text(extent) + " (kernel " + pair_text(kernel) +
                ", dilation " + pair_text(dilation) + ")"));
  }
  return output;
}

void InputAdapter::prepare(
    DnnlContext& ctx, const memory::desc& given, const memory::desc& wanted) {
  if (given == wanted) {
    reorder_.reset();
    buffer_ = memory();
    return;
  }
  buffer_ = memory(wanted, ctx.engine);
  reorder_.emplace(dnnl::reorder::primitive_desc(
      ctx.engine, given, ctx.engine, wanted, default_attr()));
}

const memory& InputAdapter::operator()(DnnlContext& ctx, const memory& src) {
  if (!reorder_) {
    return src;
  }
  memory source = src;  // a handle copy: execute() takes non-const refs
  reorder_->execute(ctx.stream, source, buffer_);
  return buffer_;
}

void load_logical(
    DnnlContext& ctx,
    ConstTensorView values,
    const memory::dims& dims,
    const memory& target) {
  // oneDNN takes a non-const handle; the reorder only reads its source.
  memory source(
      plain_desc(dims), ctx.engine, const_cast<float*>(values.data().data()));
  memory destination = target;
  dnnl::reorder(source, destination).execute(ctx.stream, source, destination);
  ctx.stream.wait();
}

memory relayout(
    DnnlContext& ctx, const memory& previous, const memory::desc& desc) {
  if (previous && previous.get_desc() == desc) {
    return previous;
  }
  memory fresh(desc, ctx.engine);
  if (previous) {
    memory old = previous;
    dnnl::reorder(old, fresh).execute(ctx.stream, old, fresh);
    ctx.stream.wait();
  }
  return fresh;
}

dnnl::prop_kind forward_prop(Phase phase) {
  return phase == Phase::Training ? dnnl::prop_kind::forward_training
                                  : dnnl::prop_kind::forward_inference;
}

void expect_training(
    std::string_view type, std::string_view call, bool training) {
  if (!training) {
    throw UsageError(
        std::string(type) + ": " + std::string(call) + " " +
        expected_got(
            "a layer prepared with Phase::Training",
            "one prepared for inference (or not prepared); call "
            "prepare(..., Phase::Training)"));
  }
}

void expect_backward_call(
    std::string_view type,
    bool training,
    std::size_t src,
    std::size_t diff_src,
    std::size_t inputs) {
  expect_training(type, "backward()", training);
  if (src != inputs || diff_src != inputs) {
    throw UsageError(
        std::string(type) + ": backward() " +
        expected_got(
            std::to_string(inputs) + " sources and diff sources",
            std::to_string(src) + " and " + std::to_string(diff_src)));
  }
}

void SameLayoutPrimitives::prepare(
    DnnlContext& ctx,
    const dnnl::primitive_desc& forward,
    const dnnl::primitive_desc* backward) {
  forward_ = dnnl::primitive(forward);
  forward_args_.clear();
  backward_args_.clear();
  forward_args_[DNNL_ARG_SRC] = memory();
  forward_args_[DNNL_ARG_DST] = memory();
  const memory::desc workspace = forward.workspace_desc();
  if (workspace.get_size() > 0) {
    forward_args_[DNNL_ARG_WORKSPACE] = memory(workspace, ctx.engine);
  }
  if (backward == nullptr) {
    backward_ = dnnl::primitive();
    return;
  }
  backward_ = dnnl::primitive(*backward);
  const auto reads = [&](int arg) {
    return backward->query_md(dnnl::query::exec_arg_md, arg).get_size() > 0;
  };
  backward_reads_src_ = reads(DNNL_ARG_SRC);
  backward_reads_dst_ = reads(DNNL_ARG_DST);
  if (reads(DNNL_ARG_WORKSPACE)) {
    backward_args_[DNNL_ARG_WORKSPACE] = forward_args_.at(DNNL_ARG_WORKSPACE);
  }
  // Every key exists up front: backward() only rebinds handles.
  for (int arg : {DNNL_ARG_SRC, DNNL_ARG_DST}) {
    if (reads(arg)) {
      backward_args_[arg] = memory();
    }
  }
  backward_args_[DNNL_ARG_DIFF_DST] = memory();
  backward_args_[DNNL_ARG_DIFF_SRC] = memory();
}

void SameLayoutPrimitives::forward(
    DnnlContext& ctx, const memory& src, const memory& dst) {
  forward_args_[DNNL_ARG_SRC] = src;
  forward_args_[DNNL_ARG_DST] = dst;
  forward_.execute(ctx.stream, forward_args_);
}

void SameLayoutPrimitives::backward(
    DnnlContext& ctx,
    std::string_view type,
    std::span<const memory> src,
    const memory& dst,
    const memory& diff_dst,
    std::span<const memory> diff_src) {
  expect_backward_call(
      type, static_cast<bool>(backward_), src.size(), diff_src.size(), 1);
  if (!diff_src[0]) {
    return;  // no parameters and no gradient wanted: nothing to compute
  }
  if (backward_reads_src_) {
    backward_args_[DNNL_ARG_SRC] = src[0];
  }
  if (backward_reads_dst_) {
    backward_args_[DNNL_ARG_DST] = dst;
  }
  backward_args_[DNNL_ARG_DIFF_DST] = diff_dst;
  backward_args_[DNNL_ARG_DIFF_SRC] = diff_src[0];
  backward_.execute(ctx.stream, backward_args_);
}

}  // namespace initforge::layers_detail
