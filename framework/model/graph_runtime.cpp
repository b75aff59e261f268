// SPDX-License-Identifier: Apache-2.0
#include "framework/model/graph_runtime.h"

#include <cstring>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

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

GraphRuntime::GraphRuntime(
    Graph& graph, DnnlContext& ctx, std::int64_t batch, Phase phase)
    : graph_(graph), ctx_(ctx), batch_(batch), phase_(phase) {
  if (batch <= 0) {
    throw ShapeError(with_got("batch must be >= 1", std::to_string(batch)));
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
    descs_.push_back(node.layer->prepare(ctx, batch, src, phase));
    // Inference reads each output only forward, so an identity layer (Flatten
    // of a plain input, Dropout) may share its producer's buffer; the model
    // input's buffer changes per forward(), so it is never shared.
    const bool alias = phase == Phase::Inference && node.inputs.size() == 1 &&
                       node.inputs[0] != kModelInput &&
                       node.layer->output_aliases_input();
    if (alias) {
      outputs_.emplace_back(
          descs_.back(), ctx.engine, sources_[i][0].get_data_handle());
    } else {
      outputs_.emplace_back(descs_.back(), ctx.engine);
    }
  }
  output_ = Tensor::empty(batched(batch, graph.output_shape()));
  output_plain_ =
      memory(plain_desc(output_.shape()), ctx.engine, output_.data());
  output_reorder_.emplace(outputs_.back(), output_plain_);
  if (phase == Phase::Training) {
    plan_backward();
  }
}

void GraphRuntime::plan_backward() {
  const auto nodes = graph_.nodes();
  const std::size_t n = nodes.size();
  std::vector<int> readers(n, 0);
  for (const GraphNode& node : nodes) {
    for (const int j : node.inputs) {
      if (j != kModelInput) ++readers[static_cast<std::size_t>(j)];
    }
  }
  for (std::size_t j = 0; j < n; ++j) {
    grads_.emplace_back(descs_[j], ctx_.engine);
    if (readers[j] == 0) {
      // Nothing writes it (a dead end, or the output until backward()).
      std::memset(grads_[j].get_data_handle(), 0, descs_[j].get_size());
    }
  }
  // A node read once gets its gradient written in place; one read by
  // several layers gets one buffer per edge, summed before its backward.
  std::vector<std::vector<memory>> edges(n);
  diff_sources_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const int j : nodes[i].inputs) {
      if (j == kModelInput) {
        diff_sources_[i].emplace_back();
        continue;
      }
      const auto producer = static_cast<std::size_t>(j);
      if (readers[producer] == 1) {
        diff_sources_[i].push_back(grads_[producer]);
      } else {
        edges[producer].emplace_back(descs_[producer], ctx_.engine);
        diff_sources_[i].push_back(edges[producer].back());
      }
    }
  }
  fan_in_.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    if (edges[j].empty()) continue;
    const std::vector<float> scales(edges[j].size(), 1.0f);
    const std::vector<memory::desc> srcs(edges[j].size(), descs_[j]);
    FanIn& fan = fan_in_[j].emplace(FanIn{
        dnnl::sum(
            dnnl::sum::primitive_desc(descs_[j], scales, srcs, ctx_.engine)),
        {}});
    for (std::size_t k = 0; k < edges[j].size(); ++k) {
      fan.args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(k)] = edges[j][k];
    }
    fan.args[DNNL_ARG_DST] = grads_[j];
  }
  output_shape_ = batched(batch_, graph_.output_shape());
  d_output_plain_ =
      memory(plain_desc(output_shape_), ctx_.engine, DNNL_MEMORY_NONE);
  d_output_reorder_.emplace(d_output_plain_, grads_.back());
}

GraphRuntime::~GraphRuntime() = default;

void GraphRuntime::set_params(
    std::size_t node,
    std::span<const ConstTensorView> params,
    std::span<const ConstTensorView> buffers) {
  graph_.nodes()[node].layer->set_params(ctx_, params, buffers);
}

void GraphRuntime::set_step(std::uint64_t seed, std::int64_t step) {
  seed_ = seed;
  step_ = step;
}

void GraphRuntime::forward(ConstTensorView input) {
  run_layers(input, 0, graph_.nodes().size());
  output_reorder_->execute(ctx_.stream, outputs_.back(), output_plain_);
  ctx_.stream.wait();
}

void GraphRuntime::forward_layers(
    ConstTensorView input, std::size_t first, std::size_t last) {
  if (first > last || last >= graph_.nodes().size()) {
    throw InvalidArgument(
        "GraphRuntime::forward_layers: " +
        expected_got(
            "first <= last < " + std::to_string(graph_.nodes().size()),
            std::to_string(first) + ", " + std::to_string(last)));
  }
  run_layers(input, first, last + 1);
  ctx_.stream.wait();
}

void GraphRuntime::run_layers(
    ConstTensorView input, std::size_t first, std::size_t end) {
  if (!(input.shape() == input_shape_)) {
    throw ShapeError(
        "model input: " + expected_got(
                              "shape " + input_shape_.to_string() + " (batch " +
                                  std::to_string(batch_) + ")",
                              input.shape().to_string()));
  }
  // oneDNN only reads the source; the handle API is not const-correct.
  input_.set_data_handle(const_cast<float*>(input.data().data()));
  const auto nodes = graph_.nodes();
  for (std::size_t i = first; i < end; ++i) {
    if (phase_ == Phase::Training) {
      nodes[i].layer->begin_step(
          {.seed = seed_, .path = nodes[i].name, .step = step_});
    }
    nodes[i].layer->forward(ctx_, sources_[i], outputs_[i]);
  }
}

Tensor GraphRuntime::node_output(std::size_t node) {
  return to_plain(node, outputs_.at(node));
}

void GraphRuntime::backward(ConstTensorView d_output) {
  if (phase_ != Phase::Training) {
    throw UsageError(
        "GraphRuntime::backward: the model was prepared for inference; "
        "prepare it with Phase::Training");
  }
  if (!(d_output.shape() == output_shape_)) {
    throw ShapeError(
        "output gradient: " + expected_got(
                                  "shape " + output_shape_.to_string(),
                                  d_output.shape().to_string()));
  }
  // oneDNN only reads the source; the handle API is not const-correct.
  d_output_plain_.set_data_handle(const_cast<float*>(d_output.data().data()));
  d_output_reorder_->execute(ctx_.stream, d_output_plain_, grads_.back());
  const auto nodes = graph_.nodes();
  for (std::size_t i = nodes.size(); i-- > 0;) {
    if (fan_in_[i]) {
      fan_in_[i]->sum.execute(ctx_.stream, fan_in_[i]->args);
    }
    nodes[i].layer->backward(
        ctx_, sources_[i], outputs_[i], grads_[i], diff_sources_[i]);
  }
  ctx_.stream.wait();
}

Tensor GraphRuntime::node_grad(std::size_t node) {
  if (phase_ != Phase::Training) {
    throw UsageError("GraphRuntime::node_grad: prepared for inference");
  }
  return to_plain(node, grads_.at(node));
}

void GraphRuntime::param_grads(
    std::size_t node, std::span<const TensorView> out) {
  graph_.nodes()[node].layer->param_grads(ctx_, out);
}

void GraphRuntime::read_buffers(
    std::size_t node, std::span<const TensorView> out) {
  graph_.nodes()[node].layer->read_buffers(ctx_, out);
}

Tensor GraphRuntime::to_plain(std::size_t node, const memory& m) {
  const GraphNode& n = graph_.nodes()[node];
  Tensor out = Tensor::empty(batched(batch_, n.output_shape()));
  memory plain(plain_desc(out.shape()), ctx_.engine, out.data());
  memory src = m;  // execute() takes non-const handles
  dnnl::reorder(src, plain).execute(ctx_.stream, src, plain);
  ctx_.stream.wait();
  return out;
}

}  // namespace initforge
