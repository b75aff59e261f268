// SPDX-License-Identifier: Apache-2.0
#pragma once

// Double-precision references of LayerNorm and GroupNorm, written from
// PyTorch's definitions (biased variance, eps inside the square root).
// BatchNorm1d's are BatchNorm2d's with [N, C, L, 1] (dense_reference.h).

#include <cmath>
#include <cstdint>
#include <vector>

namespace initforge::layer_test {

/// Each of the `x.size() / cols` rows normalized on its own.
inline std::vector<double> normalize_rows(
    const std::vector<double>& x, std::int64_t cols, double eps) {
  std::vector<double> y(x.size());
  for (std::size_t r = 0; r < x.size() / static_cast<std::size_t>(cols); ++r) {
    const double* row = x.data() + r * static_cast<std::size_t>(cols);
    double mean = 0.0;
    for (std::int64_t i = 0; i < cols; ++i) mean += row[i];
    mean /= static_cast<double>(cols);
    double var = 0.0;
    for (std::int64_t i = 0; i < cols; ++i) {
      var += (row[i] - mean) * (row[i] - mean);
    }
    var /= static_cast<double>(cols);
    const double inv = 1.0 / std::sqrt(var + eps);
    for (std::int64_t i = 0; i < cols; ++i) {
      y[r * static_cast<std::size_t>(cols) + static_cast<std::size_t>(i)] =
          (row[i] - mean) * inv;
    }
  }
  return y;
}

/// nn.LayerNorm over the last `cols` values (normalized_shape's product);
/// weight and bias [cols], or null without elementwise_affine.
inline std::vector<double> layer_norm_ref(
    const std::vector<double>& x,
    std::int64_t cols,
    const std::vector<double>* weight,
    const std::vector<double>* bias,
    double eps) {
  std::vector<double> y = normalize_rows(x, cols, eps);
  if (weight != nullptr) {
    for (std::size_t i = 0; i < y.size(); ++i) {
      const std::size_t j = i % static_cast<std::size_t>(cols);
      y[i] = y[i] * (*weight)[j] + (*bias)[j];
    }
  }
  return y;
}

/// nn.GroupNorm on [n, c, spatial] values; weight and bias [c], or null
/// without affine.
inline std::vector<double> group_norm_ref(
    const std::vector<double>& x,
    std::int64_t c,
    std::int64_t spatial,
    std::int64_t groups,
    const std::vector<double>* weight,
    const std::vector<double>* bias,
    double eps) {
  // [n, c, s] row-major is [n * groups, c / groups * s].
  std::vector<double> y = normalize_rows(x, c / groups * spatial, eps);
  if (weight != nullptr) {
    for (std::size_t i = 0; i < y.size(); ++i) {
      const std::size_t ch =
          i / static_cast<std::size_t>(spatial) % static_cast<std::size_t>(c);
      y[i] = y[i] * (*weight)[ch] + (*bias)[ch];
    }
  }
  return y;
}

}  // namespace initforge::layer_test
