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
#include "framework/layers/layer_type.h"

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

/// What prepare() builds primitives for. Training keeps what backward()
/// needs (max-pooling workspaces, batch statistics) and makes BatchNorm
/// normalize with the batch's statistics and update its running ones.
enum class Phase { Inference, Training };

/// Non-trainable state saved with the weights (BatchNorm running stats).
struct BufferDecl {
  std::string name;  // "running_mean", "running_var"
  Shape shape;
  float initial_value = 0.0f;
};

/// Where a Phase::Training forward pass stands. What a layer draws at random
/// (Dropout's masks) depends on these alone, so a resumed run draws exactly
/// what an uninterrupted one did.
struct StepContext {
  std::uint64_t seed = 0;  // the run's seed (the model's random source)
  std::string_view path;   // the layer's name in the model
  std::int64_t step = 0;   // global optimizer step, 0-based, as checkpointed
};

/// One node of a model. Construction infers the output shape and declares
/// the parameters (no allocation); prepare() creates the oneDNN primitives
/// once for a batch size and phase; forward() and backward() only execute
/// them.
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
  /// With Phase::Training the backward primitives are created too. May be
  /// called again (other batch or phase); loaded parameters are kept.
  virtual dnnl::memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const dnnl::memory::desc> src,
      Phase phase) = 0;

  /// Takes the parameters and buffers in their logical layout, in
  /// params()/buffers() order, and reorders them into the layout the
  /// primitive prefers. Called after prepare(), and again after every
  /// optimizer step; an empty `buffers` keeps the current buffer values
  /// (the running statistics training forward passes have updated).
  virtual void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers);

  /// Copies the current buffers (logical layout, buffers() order) into
  /// `out`; waits on the stream. Training updates BatchNorm's running
  /// statistics inside the layer; this is how they get out.
  virtual void read_buffers(DnnlContext& ctx, std::span<const TensorView> out);

  /// True (after prepare()) when forward() has nothing to do if dst is
  /// created on src[0]'s buffer: Flatten of a row-major input, Dropout in
  /// inference. A caller may alias the two to save the copy (GraphRuntime
  /// does in Phase::Inference); otherwise forward() copies.
  virtual bool output_aliases_input() const;

  /// Called before every Phase::Training forward() with the step it belongs
  /// to; layers that draw nothing ignore it (the default). A layer keeps
  /// what it needs (copies `step.path`).
  virtual void begin_step(const StepContext& step);

  /// Enqueues the forward pass on ctx.stream; the caller waits. In
  /// Phase::Training it also keeps what backward() needs.
  virtual void forward(
      DnnlContext& ctx,
      std::span<const dnnl::memory> src,
      const dnnl::memory& dst) = 0;

  /// Phase::Training only, after forward() on the same src and dst.
  /// Enqueues the gradients: diff_dst has dst's layout (prepare()'s
  /// result); diff_src[i] has src[i]'s layout and is overwritten, or is an
  /// empty memory when that input needs no gradient (the model input). The
  /// parameter gradients are overwritten inside the layer (read them with
  /// param_grads()). Throws UsageError when prepared for inference.
  virtual void backward(
      DnnlContext& ctx,
      std::span<const dnnl::memory> src,
      const dnnl::memory& dst,
      const dnnl::memory& diff_dst,
      std::span<const dnnl::memory> diff_src) = 0;

  /// Copies the parameter gradients of the last backward() into `out`
  /// (logical layout, params() order, same shapes as the parameters);
  /// waits on the stream. Layers without parameters get an empty span.
  virtual void param_grads(DnnlContext& ctx, std::span<const TensorView> out);
};

/// Builds a layer for inputs with the given per-sample shapes. Throws
/// ShapeError naming what was expected and what was found.
INITFORGE_API std::unique_ptr<Layer> make_layer(
    const LayerSpec& spec, std::span<const Shape> input_shapes);

}  // namespace initforge
