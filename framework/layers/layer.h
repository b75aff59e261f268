// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/core/export.h"
#include "framework/core/shape.h"
#include "framework/core/tensor_view.h"
#include "framework/init/fans.h"
#include "framework/layers/layer_options.h"

namespace initforge {

/// The oneDNN engine and stream of one model: created once, passed down.
struct DnnlContext {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

enum class ParamRole { Weight, Bias };

/// A trainable parameter a layer declares. Layers do not know initializers:
/// the model builder picks the scheme, fills the logical layout and hands
/// the values back through Layer::set_params.
struct ParamDecl {
  std::string name;  // "weight" / "bias"; the path is "<layer>.<name>"
  ParamRole role = ParamRole::Weight;
  Shape shape;  // logical PyTorch layout: Linear [out, in], Conv2d [out,
                // in/groups, kh, kw]
  std::optional<Fans> fans;  // a weight's own; a bias gets its weight's
};

/// Non-trainable state saved with the weights (BatchNorm running stats).
struct BufferDecl {
  std::string name;  // "running_mean", "running_var"
  Shape shape;
  float initial_value = 0.0f;
};

/// One node of a model. Construction infers the output shape and declares
/// the parameters (no allocation); prepare() creates the oneDNN primitives
/// once for a batch size; forward() only executes them.
class INITFORGE_API Layer {
 public:
  virtual ~Layer();

  /// PyTorch class name, e.g. "Conv2d".
  virtual std::string_view type() const = 0;
  /// Shape of one sample's output (no batch dimension).
  virtual const Shape& output_shape() const = 0;
  /// Parameters in PyTorch's registration order (weight before bias).
  virtual std::vector<ParamDecl> params() const;
  virtual std::vector<BufferDecl> buffers() const;

  /// Creates the primitives for `batch` samples whose inputs arrive in the
  /// layouts `src` (chosen by their producers); returns the layout of dst,
  /// which the layer picks (format_tag::any where oneDNN has a preference).
  virtual dnnl::memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const dnnl::memory::desc> src) = 0;

  /// Takes the initialized parameters and buffers in their logical layout,
  /// in params()/buffers() order, and reorders them once into the layout
  /// the primitive prefers. Called after prepare().
  virtual void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers);

  /// True (after prepare()) when forward() has nothing to do if dst is
  /// created on src[0]'s buffer: Flatten of a row-major input. A caller
  /// may alias the two to save the copy; otherwise forward() copies.
  virtual bool output_aliases_input() const;

  /// Enqueues the forward pass (inference) on ctx.stream; the caller waits.
  virtual void forward(
      DnnlContext& ctx,
      std::span<const dnnl::memory> src,
      const dnnl::memory& dst) = 0;
};

/// Builds a layer for inputs with the given per-sample shapes. Throws
/// ShapeError naming what was expected and what was found.
INITFORGE_API std::unique_ptr<Layer> make_layer(
    const LayerOptions& options, std::span<const Shape> input_shapes);

}  // namespace initforge
