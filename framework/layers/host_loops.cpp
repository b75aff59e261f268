// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/host_loops.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge::layers_detail {
namespace {

// Large enough to amortize a task, small enough to split a 64 KiB tensor.
constexpr std::size_t kChunk = std::size_t{1} << 14;

std::size_t chunks(std::size_t n) {
  return (n + kChunk - 1) / kChunk;
}

// Per-chunk partial sums, added in chunk order.
double blocked_sum(
    std::size_t n, const std::function<double(std::size_t, std::size_t)>& f) {
  std::vector<double> partial(chunks(n), 0.0);
  parallel_chunks(n, [&](std::size_t begin, std::size_t end) {
    partial[begin / kChunk] = f(begin, end);
  });
  double total = 0.0;
  for (double p : partial) {
    total += p;
  }
  return total;
}

}  // namespace

std::size_t dense_floats(std::string_view type, const memory::desc& md) {
  const dnnl_memory_desc_t& c = md.data;
  std::size_t padded = 1;
  for (int d = 0; d < c.ndims; ++d) {
    padded *= static_cast<std::size_t>(c.padded_dims[d]);
  }
  const bool dense = c.format_kind == dnnl_blocked && c.offset0 == 0 &&
                     md.data_type() == memory::data_type::f32 &&
                     md.get_size() == padded * sizeof(float);
  if (!dense) {
    throw UsageError(
        std::string(type) + ": " +
        expected_got(
            "a dense f32 layout (blocked or row-major, no gaps) for " +
                dims_text(md.dims()),
            "one of " + std::to_string(md.get_size()) + " bytes for " +
                std::to_string(padded) + " padded elements"));
  }
  return padded;
}

void expect_layout(
    std::string_view type,
    std::string_view what,
    const memory& m,
    const memory::desc& want) {
  if (m.get_desc() != want) {
    throw UsageError(
        std::string(type) + ": " + std::string(what) + " " +
        expected_got(
            "the layout prepare() was given for the source " +
                dims_text(want.dims()),
            "another layout of " + dims_text(m.get_desc().dims())));
  }
}

void PaddingRuns::prepare(DnnlContext& ctx, const memory::desc& md) {
  runs_.clear();
  const dnnl_memory_desc_t& c = md.data;
  if (std::equal(c.dims, c.dims + c.ndims, c.padded_dims)) {
    return;
  }
  // A reorder writes ones at the elements and zeros into the padding.
  const memory::desc logical = plain_desc(md.dims());
  memory ones(logical, ctx.engine);
  std::fill_n(host_data(ones), logical.get_size() / sizeof(float), 1.0f);
  memory marked(md, ctx.engine);
  dnnl::reorder(ones, marked).execute(ctx.stream, ones, marked);
  ctx.stream.wait();
  const float* m = host_data(marked);
  const std::size_t n = md.get_size() / sizeof(float);
  for (std::size_t i = 0; i < n;) {
    if (m[i] != 0.0f) {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < n && m[i] == 0.0f) ++i;
    runs_.emplace_back(begin, i);
  }
}

void PaddingRuns::zero(float* data) const {
  for (const auto& [begin, end] : runs_) {
    std::fill(data + begin, data + end, 0.0f);
  }
}

void parallel_chunks(
    std::size_t n, const std::function<void(std::size_t, std::size_t)>& body) {
  const auto count = static_cast<std::int64_t>(chunks(n));
#pragma omp parallel for schedule(static) if (count > 1)
  for (std::int64_t i = 0; i < count; ++i) {
    const std::size_t begin = static_cast<std::size_t>(i) * kChunk;
    body(begin, std::min(n, begin + kChunk));
  }
}

double dot(const float* a, const float* b, std::size_t n) {
  return blocked_sum(n, [a, b](std::size_t begin, std::size_t end) {
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (std::size_t i = begin; i < end; ++i) {
      s += double{a[i]} * double{b[i]};
    }
    return s;
  });
}

double sum(const float* a, std::size_t n) {
  return blocked_sum(n, [a](std::size_t begin, std::size_t end) {
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (std::size_t i = begin; i < end; ++i) {
      s += double{a[i]};
    }
    return s;
  });
}

}  // namespace initforge::layers_detail
