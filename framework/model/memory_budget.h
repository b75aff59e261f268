// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "framework/core/export.h"
#include "framework/core/memory_info.h"
#include "framework/model/graph.h"
#include "framework/model/init_plan.h"

namespace initforge {

/// Bytes a run will allocate, computed in int64 before anything is.
struct MemoryEstimate {
  bool overflow = false;  // some count exceeded int64: the totals are void
  std::int64_t parameter_bytes = 0;   // parameters and buffers
  std::int64_t activation_bytes = 0;  // input, every node output, copies
  std::int64_t total_bytes = 0;
  std::size_t largest_node = 0;  // needs the most (or overflowed first)
};

/// Parameters and buffers count twice (the logical tensors kept for the
/// report and --save-weights, and the layer's copy in its oneDNN layout);
/// activations are the input, each node's output for `batch` samples, and
/// the plain copies of the output read back.
INITFORGE_API MemoryEstimate
estimate_memory(const Graph& graph, const InitPlan& plan, std::int64_t batch);

/// Throws ConfigError at the largest layer's pointer, naming the size in
/// bytes and GiB/TiB, when the estimate overflowed or exceeds `available`.
INITFORGE_API void check_memory(
    const Graph& graph,
    const MemoryEstimate& estimate,
    std::int64_t batch,
    std::optional<std::int64_t> available);

}  // namespace initforge
