// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: host loops over oneDNN memories, for the few computations
// oneDNN 2.6 has no fitting primitive for (derivatives with PyTorch's branch
// points, scalar parameters). A loop sees a memory as its flat buffer: all
// operands share one dense layout, so float i of each is the same element;
// the padding of a blocked layout is re-zeroed after writing.

#include <cstddef>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {

/// Floats in the buffer of `md`. Throws UsageError unless the layout is
/// dense f32 (the buffer holds the padded dimensions and nothing else), as
/// every oneDNN-chosen and row-major layout is.
std::size_t dense_floats(std::string_view type, const memory::desc& md);

/// Throws UsageError unless `m` has layout `want` ("TYPE: backward()
/// expected diff_dst in the layout prepare() returned").
void expect_layout(
    std::string_view type,
    std::string_view what,
    const memory& m,
    const memory::desc& want);

/// Where a layout's padding lies in its flat buffer (a blocked layout whose
/// dimension is not a multiple of its block): oneDNN expects zeros there,
/// which a flat loop may have broken (x + bias).
class PaddingRuns {
 public:
  /// Finds the padding of `md` once (a reorder of ones into it).
  void prepare(DnnlContext& ctx, const memory::desc& md);
  /// Writes zeros into the padding of a buffer of that layout.
  void zero(float* data) const;

 private:
  std::vector<std::pair<std::size_t, std::size_t>> runs_;  // [begin, end)
};

/// Runs body(begin, end) over [0, n) in fixed chunks, in parallel on the
/// OpenMP threads.
void parallel_chunks(
    std::size_t n, const std::function<void(std::size_t, std::size_t)>& body);

/// sum_i a[i] * b[i] in double. Fixed blocks summed in order: the same bits
/// for every thread count.
double dot(const float* a, const float* b, std::size_t n);

/// sum_i a[i] in double, as dot().
double sum(const float* a, std::size_t n);

inline float* host_data(const memory& m) {
  return static_cast<float*>(m.get_data_handle());
}

}  // namespace initforge::layers_detail
