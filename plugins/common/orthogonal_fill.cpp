// SPDX-License-Identifier: Apache-2.0
// The steps are PyTorch's. Under the torch generator the QR is LAPACK's, as
// in PyTorch, so with the same LAPACK it reproduces PyTorch's bits; under
// philox it is blocked_householder_q, whose bits no BLAS or thread count
// changes (philox values depend only on seed, path and index).
#include "plugins/common/orthogonal_fill.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <lapacke.h>

#include "plugins/common/blocked_qr.h"
#include "plugins/common/scheme_util.h"

namespace initforge::plugins {
namespace {

void check_lapack(
    const char* scheme,
    const char* routine,
    lapack_int info,
    const Shape& shape) {
  if (info != 0) {
    throw InvalidArgument(
        std::string(scheme) + ": LAPACK " + routine + " failed with info " +
        std::to_string(info) + got_shape(shape));
  }
}

// PyTorch's calls: sgeqrf, sign(diag(R)) (torch.sign: 0 for 0), sorgqr.
std::vector<float> lapack_householder_q(
    const char* scheme,
    std::span<float> q,
    lapack_int m,
    lapack_int n,
    const Shape& shape) {
  std::vector<float> tau(static_cast<std::size_t>(n));
  check_lapack(
      scheme,
      "sgeqrf",
      LAPACKE_sgeqrf(LAPACK_COL_MAJOR, m, n, q.data(), m, tau.data()),
      shape);
  std::vector<float> sign(static_cast<std::size_t>(n));
  for (lapack_int j = 0; j < n; ++j) {
    const float r = q[static_cast<std::size_t>(j) * (m + 1)];
    sign[static_cast<std::size_t>(j)] =
        static_cast<float>((r > 0.0F) - (r < 0.0F));
  }
  check_lapack(
      scheme,
      "sorgqr",
      LAPACKE_sorgqr(LAPACK_COL_MAJOR, m, n, n, q.data(), m, tau.data()),
      shape);
  return sign;
}

}  // namespace

void check_orthogonal_shape(const char* scheme, const Shape& shape) {
  if (shape.rank() < 2) {
    throw InvalidArgument(
        std::string(scheme) +
        ": Only tensors with 2 or more dimensions are supported" +
        got_shape(shape));
  }
  const std::int64_t rows = shape[0];
  const std::int64_t cols = rows == 0 ? 0 : shape.numel() / rows;
  if (std::max(rows, cols) > std::numeric_limits<lapack_int>::max()) {
    throw InvalidArgument(
        std::string(scheme) + ": a side exceeds LAPACK's integer range" +
        got_shape(shape));
  }
}

void orthogonal_fill(
    const char* scheme,
    std::span<float> out,
    const Shape& shape,
    Generator& gen,
    double gain) {
  if (shape.numel() == 0) return;  // PyTorch: silently nothing to do
  const std::int64_t rows = shape[0], cols = shape.numel() / rows;
  // Flattened (rows, cols) row-major, as t.new(rows, cols).normal_(0, 1).
  std::vector<float> a(static_cast<std::size_t>(shape.numel()));
  gen.normal(a, 0.0, 1.0);

  // The QR works on the tall m x n matrix, column-major. A wide A (rows <
  // cols) is transposed, and A^T column-major is A's row-major buffer.
  const bool wide = rows < cols;
  const auto m = static_cast<lapack_int>(std::max(rows, cols));
  const auto n = static_cast<lapack_int>(std::min(rows, cols));
  std::vector<float> q;
  if (wide) {
    q = std::move(a);
  } else {
    q.resize(a.size());
    for (std::int64_t i = 0; i < rows; ++i) {
      for (std::int64_t j = 0; j < cols; ++j) {
        q[static_cast<std::size_t>(i + j * m)] =
            a[static_cast<std::size_t>(i * cols + j)];
      }
    }
  }
  const std::vector<float> sign =
      gen.name() == "philox" ? blocked_householder_q(q, m, n)
                             : lapack_householder_q(scheme, q, m, n, shape);

  // Q (m x n, column-major) times sign per column, back to (rows, cols)
  // row-major, then times (float)gain: PyTorch's two float multiplies.
  const auto g = static_cast<float>(gain);
  for (std::int64_t j = 0; j < n; ++j) {
    const float s = sign[static_cast<std::size_t>(j)];
    for (std::int64_t i = 0; i < m; ++i) {
      const float v = q[static_cast<std::size_t>(i + j * m)] * s * g;
      out[static_cast<std::size_t>(wide ? j * m + i : i * cols + j)] = v;
    }
  }
}

}  // namespace initforge::plugins
