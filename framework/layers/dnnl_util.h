// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal helpers shared by the layer implementations (not installed API).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/core/shape.h"
#include "framework/core/tensor_view.h"
#include "framework/layers/layer.h"

namespace initforge::layers_detail {

using dnnl::memory;

/// [batch, sample dims...] as oneDNN dims.
memory::dims batched_dims(std::int64_t batch, const Shape& sample);

/// Row-major f32 layout of `dims` (the logical PyTorch layout).
memory::desc plain_desc(const memory::dims& dims);

/// f32 with format_tag::any: the primitive picks the layout.
memory::desc any_desc(const memory::dims& dims);

/// "[8, 3, 28, 28]".
std::string dims_text(const memory::dims& dims);

/// Attributes every layer primitive uses: strict f32 math (no implicit
/// down-conversion, so results match the f32 reference) and the library
/// scratchpad, shared between primitives.
dnnl::primitive_attr default_attr();

/// Throws ShapeError unless `inputs` holds exactly `expected` shapes.
void expect_input_count(
    std::string_view type, std::span<const Shape> inputs, std::size_t expected);

/// Throws ShapeError unless src holds `count` descs whose dims are
/// [batch, sample...] (a caller bug: prepare() got other shapes than
/// make_layer()).
void expect_src_descs(
    std::string_view type,
    std::span<const memory::desc> src,
    std::int64_t batch,
    std::span<const Shape> samples);

/// Throws ShapeError unless `views` match `expected` shapes one to one.
void expect_views(
    std::string_view type,
    std::string_view what,
    std::span<const ConstTensorView> views,
    std::span<const Shape> expected);

/// "3x5" for (height, width).
std::string pair_text(const IntPair& pair);

/// Largest kernel/stride/padding/dilation accepted (keeps the size
/// arithmetic far from int64 overflow).
inline constexpr std::int64_t kMaxSpatialOption = std::int64_t{1} << 30;

/// Throws ShapeError unless both entries of `option` lie in
/// [minimum, kMaxSpatialOption].
void expect_at_least(
    std::string_view type,
    std::string_view name,
    const IntPair& option,
    std::int64_t minimum);

/// PyTorch's output size per axis, floor((in + 2p - (d(k-1)+1)) / s) + 1;
/// throws ShapeError when the dilated kernel does not fit the padded input.
IntPair spatial_output(
    std::string_view type,
    const IntPair& input,
    const IntPair& kernel,
    const IntPair& stride,
    const IntPair& padding,
    const IntPair& dilation);

/// Brings a layer's input into the layout its primitive chose. Prepared once;
/// a no-op when the producer already delivers that layout.
class InputAdapter {
 public:
  /// Plans a reorder from `given` to `wanted` if they differ, allocating the
  /// intermediate buffer once.
  void prepare(
      DnnlContext& ctx, const memory::desc& given, const memory::desc& wanted);
  /// Enqueues the reorder if one is needed; returns the memory to read.
  const memory& operator()(DnnlContext& ctx, const memory& src);
  bool reorders() const {
    return reorder_.has_value();
  }

 private:
  std::optional<dnnl::reorder> reorder_;
  memory buffer_;
};

/// Reorders a row-major host view with logical dims `dims` into `target`
/// (any layout of the same dims) and waits: used once per parameter.
void load_logical(
    DnnlContext& ctx,
    ConstTensorView values,
    const memory::dims& dims,
    const memory& target);

/// Memory for `desc` holding `previous`'s values when it had any (a
/// re-prepare changed the preferred layout), else a fresh one.
memory relayout(
    DnnlContext& ctx, const memory& previous, const memory::desc& desc);

/// prop_kind of a forward primitive in `phase`: forward_training keeps what
/// the backward primitive reads (max pooling's workspace).
dnnl::prop_kind forward_prop(Phase phase);

/// Throws UsageError "TYPE: CALL expected a layer prepared with
/// Phase::Training ..." unless `training`.
void expect_training(
    std::string_view type, std::string_view call, bool training);

/// Throws UsageError unless the layer was prepared for training and
/// backward() got `inputs` sources and as many diff sources.
void expect_backward_call(
    std::string_view type,
    bool training,
    std::size_t src,
    std::size_t diff_src,
    std::size_t inputs);

/// The primitives of a one-input layer that computes in its producer's
/// layout (eltwise, pooling, softmax): the forward and, for training, the
/// backward-data primitive whose diff_dst has dst's layout and diff_src
/// src's. Created in prepare(); forward()/backward() only bind memories.
class SameLayoutPrimitives {
 public:
  /// `backward` is null for Phase::Inference. Allocates the workspace the
  /// forward pd asks for (max pooling with forward_training).
  void prepare(
      DnnlContext& ctx,
      const dnnl::primitive_desc& forward,
      const dnnl::primitive_desc* backward);
  void forward(DnnlContext& ctx, const memory& src, const memory& dst);
  /// Checks the call (UsageError unless training); does nothing when
  /// diff_src[0] is empty (no gradient wanted).
  void backward(
      DnnlContext& ctx,
      std::string_view type,
      std::span<const memory> src,
      const memory& dst,
      const memory& diff_dst,
      std::span<const memory> diff_src);

 private:
  dnnl::primitive forward_;
  dnnl::primitive backward_;  // null when prepared for inference
  std::unordered_map<int, memory> forward_args_;
  std::unordered_map<int, memory> backward_args_;
  bool backward_reads_src_ = false;  // eltwise
  bool backward_reads_dst_ = false;  // softmax
};

}  // namespace initforge::layers_detail
