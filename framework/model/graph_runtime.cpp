// SPDX-License-Identifier: Apache-2.0
#include "framework/model/graph_runtime.h"

#include "framework/core/error.h"

namespace initforge {
namespace {

using dnnl::memory;

Shape batched(std::int64_t batch, const Shape& sample) {
  std::vector<std::int64_t> dims = {batch};
  dims.insert(dims.end(), sample.dims().begin(), sample.dims().end());
  return Shape(std::span<const std::int64_t>(dims));
}

// Row-major f32 layout of `shape` (the layout of plain tensors).
memory::desc plain_desc(const Shape& shape) {
  const memory::dims dims(shape.dims().begin(), shape.dims().end());
  memory::dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) {
    strides[i - 1] = strides[i] * dims[i];
  }
  return memory::desc(dims, memory::data_type::f32, strides);
}

}  // namespace

GraphRuntime::GraphRuntime(Graph& graph, DnnlContext& ctx, std::int64_t batch)
    : graph_(graph), ctx_(ctx), batch_(batch) {
  if (batch <= 0) {
    throw ShapeError("batch must be >= 1; got " + std::to_string(batch));
  }
  input_shape_ = batched(batch, graph.input_shape());
  input_ = memory(plain_desc(input_shape_), ctx.engine, DNNL_MEMORY_NONE);
  const auto nodes = graph.nodes();
  descs_.reserve(nodes.size());
  outputs_.reserve(nodes.size());
  sources_.resize(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    GraphNode& node = nodes[i];
    std::vector<memory::desc> src;
    for (const int j : node.inputs) {
      const memory& producer =
          j == kModelInput ? input_ : outputs_[static_cast<std::size_t>(j)];
      sources_[i].push_back(producer);
      src.push_back(producer.get_desc());
    }
    descs_.push_back(node.layer->prepare(ctx, batch, src));
    outputs_.emplace_back(descs_.back(), ctx.engine);
  }
  output_ = Tensor::empty(batched(batch, graph.output_shape()));
  output_plain_ =
      memory(plain_desc(output_.shape()), ctx.engine, output_.data());
  output_reorder_.emplace(outputs_.back(), output_plain_);
}

GraphRuntime::~GraphRuntime() = default;

void GraphRuntime::set_params(
    std::size_t node,
    std::span<const ConstTensorView> params,
    std::span<const ConstTensorView> buffers) {
  graph_.nodes()[node].layer->set_params(ctx_, params, buffers);
}

void GraphRuntime::forward(ConstTensorView input) {
  if (!(input.shape() == input_shape_)) {
    throw ShapeError(
        "model input: expected shape " + input_shape_.to_string() + " (batch " +
        std::to_string(batch_) + "); got " + input.shape().to_string());
  }
  // oneDNN only reads the source; the handle API is not const-correct.
  input_.set_data_handle(const_cast<float*>(input.data().data()));
  const auto nodes = graph_.nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].layer->forward(ctx_, sources_[i], outputs_[i]);
  }
  output_reorder_->execute(ctx_.stream, outputs_.back(), output_plain_);
  ctx_.stream.wait();
}

Tensor GraphRuntime::node_output(std::size_t node) {
  const GraphNode& n = graph_.nodes()[node];
  Tensor out = Tensor::empty(batched(batch_, n.output_shape()));
  memory plain(plain_desc(out.shape()), ctx_.engine, out.data());
  dnnl::reorder(outputs_[node], plain)
      .execute(ctx_.stream, outputs_[node], plain);
  ctx_.stream.wait();
  return out;
}

}  // namespace initforge
