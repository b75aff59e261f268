// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: the weight and bias of the dense layers. Values live in the
// layout the forward primitive chose; loads from and gradients back to
// PyTorch's logical layout go through reorders planned once in prepare(), so
// the per-step set_params()/param_grads() allocate nothing.

#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/core/shape.h"
#include "framework/core/tensor_view.h"
#include "framework/layers/layer.h"

namespace initforge::layers_detail {

using dnnl::memory;

/// One parameter: its value in a primitive's layout, an optional copy in
/// the backward-data primitive's layout, and its gradient.
class ParamMemory {
 public:
  /// `logical`: the parameter's PyTorch layout as a oneDNN desc (row-major
  /// dims, or strides when PyTorch orders the dims otherwise).
  explicit ParamMemory(memory::desc logical) : logical_(std::move(logical)) {}

  /// Puts the value in `desc` (keeping loaded values) and plans its load.
  void prepare(DnnlContext& ctx, const memory::desc& desc);
  /// Plans the gradient memory in `desc` (zeroed) and the copy of the
  /// value in `mirror` (nothing when it equals the value's layout).
  void prepare_backward(
      DnnlContext& ctx, const memory::desc& grad, const memory::desc& mirror);
  /// Frees the backward memories (Phase::Inference).
  void drop_backward();
  /// Enqueues the reorder of logical `values` into the value (and mirror).
  void load(DnnlContext& ctx, ConstTensorView values);
  /// Enqueues the reorder of the gradient into logical `out`.
  void store_grad(DnnlContext& ctx, TensorView out);

  const memory::desc& logical() const {
    return logical_;
  }
  const memory& value() const {
    return value_;
  }
  /// The value in the layout backward-data reads.
  const memory& mirror() const {
    return mirror_ ? mirror_ : value_;
  }
  const memory& grad() const {
    return grad_;
  }
  bool loaded() const {
    return loaded_;
  }

 private:
  memory::desc logical_;
  memory value_;
  memory plain_;  // logical layout on the caller's buffer, set per call
  std::optional<dnnl::reorder> load_;
  memory mirror_;
  std::optional<dnnl::reorder> to_mirror_;
  memory grad_;
  std::optional<dnnl::reorder> store_;
  bool loaded_ = false;
};

/// Weight plus optional bias of a dense layer, with the parameter
/// checks of set_params() and param_grads().
class DenseParams {
 public:
  /// `weight_dims`: the oneDNN weight dims with the logical row-major order
  /// (a grouped conv's [g, out/g, in/g, kh, kw] for [out, in/g, kh, kw]).
  DenseParams(
      std::string_view type,
      const Shape& weight_shape,
      const memory::dims& weight_dims,
      bool bias);
  /// `weight_logical`: oneDNN's weight dims with strides giving PyTorch's
  /// layout (ConvTranspose2d's [in, out/g, kh, kw] is oneDNN's iohw);
  /// `bias_size`: the bias length, 0 for none.
  DenseParams(
      std::string_view type,
      const Shape& weight_shape,
      const memory::desc& weight_logical,
      std::int64_t bias_size);

  /// weight (fans of its shape), then bias [out] with the weight's fans.
  std::vector<ParamDecl> decls() const;
  /// Relayouts into the forward pd's layouts and registers the values as
  /// DNNL_ARG_WEIGHTS / DNNL_ARG_BIAS in `args`.
  void prepare_forward(
      DnnlContext& ctx,
      const dnnl::primitive_desc_base& forward,
      std::unordered_map<int, memory>& args);
  /// Plans the gradients (backward-weights' layouts) and the weight copy
  /// backward-data reads; `bwd_data`/`bwd_weights` must come from the
  /// forward pd given to prepare_forward().
  void prepare_backward(
      DnnlContext& ctx,
      const dnnl::primitive_desc_base& bwd_data,
      const dnnl::primitive_desc_base& bwd_weights);
  void drop_backward();
  bool training() const {
    return training_;
  }

  /// Layer::set_params: checks, loads and waits (no buffers accepted).
  void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers);
  /// Layer::param_grads: checks, stores and waits.
  void param_grads(DnnlContext& ctx, std::span<const TensorView> out);

  ParamMemory& weight() {
    return weight_;
  }
  /// Null without bias.
  ParamMemory* bias() {
    return bias_ ? &*bias_ : nullptr;
  }

 private:
  std::string_view type_;  // static storage: the layer's type()
  std::vector<Shape> shapes_;
  ParamMemory weight_;
  std::optional<ParamMemory> bias_;
  bool prepared_ = false;
  bool training_ = false;
};

}  // namespace initforge::layers_detail
