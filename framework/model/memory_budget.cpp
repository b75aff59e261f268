// SPDX-License-Identifier: Apache-2.0
#include "framework/model/memory_budget.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "framework/core/error.h"

namespace initforge {
namespace {

// Checked int64 arithmetic: sets `overflow` and saturates instead of
// wrapping, so a huge model yields a message rather than a bogus size.
struct Checked {
  bool overflow = false;
  std::int64_t mul(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) overflow = true;
    return overflow ? 0 : r;
  }
  std::int64_t add(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) overflow = true;
    return overflow ? 0 : r;
  }
};

constexpr std::int64_t kFloat = sizeof(float);

}  // namespace

MemoryEstimate estimate_memory(
    const Graph& graph, const InitPlan& plan, std::int64_t batch) {
  Checked c;
  const auto nodes = graph.nodes();
  std::vector<std::int64_t> node_bytes(nodes.size(), 0);
  MemoryEstimate e;
  // The first node whose sizes overflow is the one to name.
  std::optional<std::size_t> overflow_node;
  const auto note = [&](std::size_t node) {
    if (c.overflow && !overflow_node) overflow_node = node;
  };
  // Parameters and buffers: logical copy + the layer's reordered copy.
  for (const PlannedParam& p : plan.params) {
    const std::int64_t bytes = c.mul(2 * kFloat, p.info.shape.numel());
    node_bytes[p.node] = c.add(node_bytes[p.node], bytes);
    e.parameter_bytes = c.add(e.parameter_bytes, bytes);
    note(p.node);
  }
  for (const PlannedBuffer& b : plan.buffers) {
    const std::int64_t bytes = c.mul(2 * kFloat, b.decl.shape.numel());
    node_bytes[b.node] = c.add(node_bytes[b.node], bytes);
    e.parameter_bytes = c.add(e.parameter_bytes, bytes);
    note(b.node);
  }
  // Activations: the input, each node's output, and two plain copies of
  // the largest output (the final output and a statistics read-back).
  e.activation_bytes = c.mul(c.mul(batch, graph.input_shape().numel()), kFloat);
  note(0);  // the input is charged to the first layer
  std::int64_t largest_output = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::int64_t bytes =
        c.mul(c.mul(batch, nodes[i].output_shape().numel()), kFloat);
    node_bytes[i] = c.add(node_bytes[i], bytes);
    e.activation_bytes = c.add(e.activation_bytes, bytes);
    largest_output = std::max(largest_output, bytes);
    note(i);
  }
  e.activation_bytes = c.add(e.activation_bytes, c.mul(2, largest_output));
  e.total_bytes = c.add(e.parameter_bytes, e.activation_bytes);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (node_bytes[i] > node_bytes[e.largest_node]) e.largest_node = i;
  }
  if (overflow_node) e.largest_node = *overflow_node;
  e.overflow = c.overflow;
  return e;
}

void check_memory(
    const Graph& graph,
    const MemoryEstimate& estimate,
    std::int64_t batch,
    std::optional<std::int64_t> available) {
  const GraphNode& largest = graph.nodes()[estimate.largest_node];
  const std::string where = "largest: layer \"" + largest.name + "\" (" +
                            largest.type + ", " +
                            largest.output_shape().to_string() + " output)";
  const std::string for_batch = " for batch " + std::to_string(batch);
  if (estimate.overflow) {
    throw ConfigError(
        graph.file(),
        largest.pointer,
        "the model needs more than 8 EiB (2^63 bytes)" + for_batch +
            ": its sizes overflow 64-bit byte counts; " + where);
  }
  if (available && estimate.total_bytes > *available) {
    throw ConfigError(
        graph.file(),
        largest.pointer,
        "the model needs " +
            format_bytes(static_cast<double>(estimate.total_bytes)) + " (" +
            std::to_string(estimate.total_bytes) + " bytes)" + for_batch +
            ": parameters " +
            format_bytes(static_cast<double>(estimate.parameter_bytes)) +
            ", activations " +
            format_bytes(static_cast<double>(estimate.activation_bytes)) +
            "; " + format_bytes(static_cast<double>(*available)) +
            " available (MemAvailable); " + where);
  }
}

}  // namespace initforge
