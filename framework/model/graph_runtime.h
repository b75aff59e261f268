// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/core/export.h"
#include "framework/core/tensor.h"
#include "framework/core/tensor_view.h"
#include "framework/layers/layer.h"
#include "framework/model/graph.h"

namespace initforge {

/// Executes a Graph for one batch size and phase. Construction prepares
/// every layer in topological order, each receiving the layouts its
/// producers chose, and allocates one output memory per node in its
/// layer's layout, so activations stay in oneDNN's preferred layouts
/// between layers (in Phase::Inference a layer whose output may alias its
/// input, Layer::output_aliases_input, gets its producer's buffer). In
/// Phase::Training it also allocates one gradient memory per node (same layout)
/// and plans the sums for nodes read by several layers (residual connections).
class INITFORGE_API GraphRuntime {
 public:
  /// `graph` and `ctx` must outlive the runtime.
  GraphRuntime(Graph& graph, DnnlContext& ctx, std::int64_t batch, Phase phase);
  ~GraphRuntime();
  GraphRuntime(const GraphRuntime&) = delete;
  GraphRuntime& operator=(const GraphRuntime&) = delete;

  std::int64_t batch() const {
    return batch_;
  }
  Phase phase() const {
    return phase_;
  }

  /// Hands node `node` its parameters and buffers in logical layout (its
  /// params()/buffers() order); the layer reorders them once.
  void set_params(
      std::size_t node,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers);

  /// The run's seed and the global training step the next Phase::Training
  /// forwards belong to: every layer gets them, with its node name, through
  /// Layer::begin_step before its forward (Dropout keys its masks by them).
  /// Both 0 until set.
  void set_step(std::uint64_t seed, std::int64_t step);

  /// Runs every layer on `input` (row-major [batch, ...input]), waits on the
  /// stream once, then reorders the model output into output(). Throws
  /// ShapeError for an input of another shape.
  void forward(ConstTensorView input);
  /// Runs layers first..last only (nodes are in topological order): the
  /// outputs of the layers before `first` must already be those of this
  /// input and the current parameters. For node_output(); output() is not
  /// updated. Waits.
  void forward_layers(
      ConstTensorView input, std::size_t first, std::size_t last);
  /// The model output of the last forward(), row-major [batch, ...].
  const Tensor& output() const {
    return output_;
  }

  /// Node `node`'s output of the last forward(), as a row-major copy.
  Tensor node_output(std::size_t node);

  /// Phase::Training, after forward(): back-propagates `d_output`
  /// (row-major [batch, ...output]) through every layer in reverse order,
  /// summing the gradients of nodes read by several layers; waits.
  void backward(ConstTensorView d_output);
  /// The gradient w.r.t. node `node`'s output of the last backward(),
  /// row-major (zero for a node no layer reads).
  Tensor node_grad(std::size_t node);
  /// Node `node`'s parameter gradients (logical layout) into `out`.
  void param_grads(std::size_t node, std::span<const TensorView> out);
  /// Node `node`'s buffers (logical layout) into `out`.
  void read_buffers(std::size_t node, std::span<const TensorView> out);

  /// The layout node `node` produces (oneDNN's choice).
  const dnnl::memory::desc& node_desc(std::size_t node) const {
    return descs_[node];
  }

 private:
  void plan_backward();
  void run_layers(ConstTensorView input, std::size_t first, std::size_t end);
  Tensor to_plain(std::size_t node, const dnnl::memory& m);

  Graph& graph_;
  DnnlContext& ctx_;
  std::int64_t batch_;
  Shape input_shape_;
  dnnl::memory input_;  // plain; its handle is set per forward()
  std::vector<dnnl::memory::desc> descs_;
  std::vector<dnnl::memory> outputs_;
  std::vector<std::vector<dnnl::memory>> sources_;  // per node
  Tensor output_;
  dnnl::memory output_plain_;
  std::optional<dnnl::reorder> output_reorder_;

  // Training only.
  Phase phase_;
  std::uint64_t seed_ = 0;
  std::int64_t step_ = 0;
  Shape output_shape_;
  dnnl::memory d_output_plain_;  // its handle is set per backward()
  std::optional<dnnl::reorder> d_output_reorder_;
  std::vector<dnnl::memory> grads_;  // per node, in its output's layout
  // Per node: where each input's gradient goes (a producer's gradient, an
  // edge buffer summed later, or empty for the model input).
  std::vector<std::vector<dnnl::memory>> diff_sources_;
  // Per node read by several layers: the sum of its edge buffers.
  struct FanIn {
    dnnl::sum sum;
    std::unordered_map<int, dnnl::memory> args;
  };
  std::vector<std::optional<FanIn>> fan_in_;
};

}  // namespace initforge
