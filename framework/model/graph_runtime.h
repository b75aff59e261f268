// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/core/export.h"
#include "framework/core/tensor.h"
#include "framework/core/tensor_view.h"
#include "framework/layers/layer.h"
#include "framework/model/graph.h"

namespace initforge {

/// Executes a Graph for one batch size. Construction prepares every layer
/// in topological order, each receiving the layouts its producers chose,
/// and allocates one output memory per node in its layer's layout, so
/// activations stay in oneDNN's preferred layouts between layers.
class INITFORGE_API GraphRuntime {
 public:
  /// `graph` and `ctx` must outlive the runtime.
  GraphRuntime(Graph& graph, DnnlContext& ctx, std::int64_t batch);
  ~GraphRuntime();
  GraphRuntime(const GraphRuntime&) = delete;
  GraphRuntime& operator=(const GraphRuntime&) = delete;

  std::int64_t batch() const {
    return batch_;
  }

  /// Hands node `node` its parameters and buffers in logical layout (its
  /// params()/buffers() order); the layer reorders them once.
  void set_params(
      std::size_t node,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers);

  /// Runs every layer on `input` (row-major [batch, ...input]), waits on the
  /// stream once, then reorders the model output into output(). Throws
  /// ShapeError for an input of another shape.
  void forward(ConstTensorView input);

  /// The model output of the last forward(), row-major [batch, ...].
  const Tensor& output() const {
    return output_;
  }

  /// Node `node`'s output of the last forward(), as a row-major copy.
  Tensor node_output(std::size_t node);

  /// The layout node `node` produces (oneDNN's choice).
  const dnnl::memory::desc& node_desc(std::size_t node) const {
    return descs_[node];
  }

 private:
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
};

}  // namespace initforge
