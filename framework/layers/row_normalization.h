// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: oneDNN's layer_normalization over the rows of the row-major
// [rows, cols] view of a layer's batched input, forward and backward.
// LayerNorm normalizes [batch x leading dims, normalized_shape] rows with
// oneDNN's own scale and shift; GroupNorm [batch x groups, channels/groups x
// spatial] rows without them (its affine is per channel).

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer.h"
#include "framework/layers/layer_type.h"

namespace initforge::layers_detail {

class RowNormalization {
 public:
  /// Plans the primitives for a batched input in layout `src` (reordered to
  /// row-major first unless it already is). `affine`: scale and shift of
  /// [cols] values (scale(), shift()) and their gradients. Returns the
  /// row-major batched layout of the output. Keeps scale and shift across
  /// re-prepares.
  memory::desc prepare(
      DnnlContext& ctx,
      const memory::desc& src,
      memory::dim rows,
      memory::dim cols,
      float eps,
      bool affine,
      Phase phase);

  /// Normalizes `src` (prepare()'s layout) into `out`, a row-major batched
  /// memory (the layer's dst or a buffer of that layout). Training keeps the
  /// row statistics for backward().
  void forward(DnnlContext& ctx, const memory& src, const memory& out);

  /// Training only, after forward() on the same src: the gradient of the
  /// rows from `diff_out` (row-major batched) into `diff_src` (src's layout;
  /// empty when no gradient is wanted: then only the scale and shift
  /// gradients are computed, if affine).
  void backward(
      DnnlContext& ctx,
      const memory& src,
      const memory& diff_out,
      const memory& diff_src);

  bool training() const {
    return static_cast<bool>(backward_);
  }
  bool prepared() const {
    return static_cast<bool>(forward_);
  }
  // Affine only, plain [cols]; the gradients exist after a training
  // prepare().
  const memory& scale() const {
    return scale_;
  }
  const memory& shift() const {
    return shift_;
  }
  const memory& diff_scale() const {
    return diff_scale_;
  }
  const memory& diff_shift() const {
    return diff_shift_;
  }

 private:
  memory rows_view(DnnlContext& ctx, const memory& batched) const;

  memory::desc rows_desc_;   // plain [rows, cols]
  memory::desc plain_desc_;  // plain batched dims
  bool affine_ = false;
  bool plain_src_ = true;
  dnnl::layer_normalization_forward forward_;
  dnnl::layer_normalization_backward backward_;  // null for inference
  InputAdapter src_adapter_;
  memory adapted_src_;  // what forward() read, when src_adapter_ reorders
  memory scale_, shift_, diff_scale_, diff_shift_;
  memory mean_, variance_;                         // [rows], training
  std::optional<dnnl::reorder> diff_src_reorder_;  // plain -> src's layout
  memory diff_src_buffer_;  // plain batched, made on first use
};

/// LayerNorm's and GroupNorm's hyper-parameters after their first: eps and
/// the switch `affine_flag` ("elementwise_affine", "affine").
std::vector<ArgSpec> row_norm_args(
    ArgSpec first, const std::string& affine_flag);

/// Their weight (ones) and bias (zeros), present with `affine_flag`;
/// `shape` is the reference's text ("[channels]").
std::vector<LayerParam> row_norm_params(
    const std::string& affine_flag, const std::string& shape);

/// What LayerNorm and GroupNorm share: the shape-preserving frame, the
/// optional affine weight and bias of one shape (ones and zeros by the
/// declared defaults, PyTorch's reset_parameters; no fans), and copying
/// them in and their gradients out.
class RowNormLayer : public Layer {
 public:
  std::string_view type() const final {
    return type_;
  }
  const Shape& output_shape() const final {
    return shape_;
  }
  std::vector<ParamDecl> params() const final;
  void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers) final;
  void param_grads(DnnlContext& ctx, std::span<const TensorView> out) final;
  /// The rows normalized into dst; GroupNorm adds its affine.
  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    norm_.forward(ctx, src[0], dst);
  }
  /// Checks the call, then backward_rows().
  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& dst,
      const memory& diff_dst,
      std::span<const memory> diff_src) final;

 protected:
  /// `type` must outlive the layer (a string literal).
  RowNormLayer(
      std::string_view type,
      const Shape& input,
      Shape affine_shape,
      double eps,
      bool affine)
      : type_(type),
        shape_(input),
        affine_shape_(std::move(affine_shape)),
        eps_(eps),
        affine_(affine) {}

  /// Affine only, once prepared: the plain memories holding weight and
  /// bias, and (training) their gradients.
  virtual std::array<memory, 2> affine_memories() const = 0;
  virtual std::array<memory, 2> affine_grads() const = 0;
  /// The gradient of the one input (`diff_src` empty: none wanted).
  virtual void backward_rows(
      DnnlContext& ctx,
      const memory& src,
      const memory& diff_dst,
      const memory& diff_src) {
    norm_.backward(ctx, src, diff_dst, diff_src);
  }

  const Shape& shape() const {
    return shape_;
  }
  float eps() const {
    return static_cast<float>(eps_);
  }
  bool affine() const {
    return affine_;
  }

  RowNormalization norm_;

 private:
  std::string_view type_;
  Shape shape_;
  Shape affine_shape_;
  double eps_;
  bool affine_;
};

}  // namespace initforge::layers_detail
