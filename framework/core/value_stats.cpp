// SPDX-License-Identifier: Apache-2.0
#include "framework/core/value_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace initforge {

// Two passes in double (mean, then squared deviations) so a large constant
// offset does not cancel the variance away.
ValueStats compute_stats(std::span<const float> values) {
  ValueStats stats;
  const auto n = static_cast<std::int64_t>(values.size());
  stats.count = n;
  if (n == 0) {
    stats.mean = stats.std = stats.min = stats.max =
        std::numeric_limits<double>::quiet_NaN();
    return stats;
  }
  const float* x = values.data();
  double sum = 0;
  float lo = x[0], hi = x[0];
#pragma omp parallel for simd reduction(+ : sum) reduction(min : lo) \
    reduction(max : hi)
  for (std::int64_t i = 0; i < n; ++i) {
    sum += x[i];
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  const double mean = sum / static_cast<double>(n);
  double squares = 0;
#pragma omp parallel for simd reduction(+ : squares)
  for (std::int64_t i = 0; i < n; ++i) {
    const double d = x[i] - mean;
    squares += d * d;
  }
  stats.mean = mean;
  stats.std = std::sqrt(squares / static_cast<double>(n));
  stats.min = lo;
  stats.max = hi;
  return stats;
}

}  // namespace initforge
