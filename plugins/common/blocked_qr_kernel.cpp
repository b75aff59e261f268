// SPDX-License-Identifier: Apache-2.0
// Blocked Householder QR (LAPACK's sgeqrf/sorgqr structure): unblocked panels
// of kPanel columns, block reflectors I - V T V^T applied as GEMMs to column
// chunks of kChunk. Eigen is built with EIGEN_DONT_PARALLELIZE, and each
// chunk is one identical computation whichever thread runs it. Compiled once
// per instruction-set tier (INITFORGE_QR_TIER, see plugins/CMakeLists.txt);
// Eigen's namespace is renamed per tier so their inline code never merges.
#include <algorithm>
#include <cstdint>
#include <mutex>
#include <vector>

#ifndef INITFORGE_QR_TIER
#error "INITFORGE_QR_TIER names this build's instruction-set tier"
#endif
#define Eigen INITFORGE_QR_EIGEN_NS
#include <Eigen/Core>
#include <Eigen/Householder>

#ifndef EIGEN_DONT_PARALLELIZE
#error "Eigen must stay single-threaded here (EIGEN_DONT_PARALLELIZE)"
#endif

namespace initforge::plugins::INITFORGE_QR_TIER {
namespace {

using Eigen::Index;
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;

// Fixed so the arithmetic never depends on the machine's thread count.
constexpr Index kPanel = 64;
constexpr Index kChunk = 128;

// Eigen sizes its GEMM blocks from the cache sizes CPUID reports, which vary
// between CPU models and VMs (this one claims a 512 MB L3); fixed typical
// sizes make the summation order the same everywhere.
void pin_gemm_blocking() {
  static std::once_flag once;
  std::call_once(once, [] {
    Eigen::setCpuCacheSizes(32 * 1024, 1024 * 1024, 32 * 1024 * 1024);
  });
}

// One panel's reflectors: V (unit lower trapezoidal, explicit) and the upper
// triangular T with H_1 ... H_w = I - V T V^T (LAPACK's slarft).
struct BlockReflector {
  Matrix v;
  Matrix t;
};

// Unblocked Householder QR of a(k:m, k:k+w) in place; tau gets the w
// coefficients, the diagonal gets R's, below it the reflectors' tails.
void factor_panel(Matrix& a, Index k, Index w, Vector& tau) {
  const Index m = a.rows();
  Vector work(w);
  for (Index j = 0; j < w; ++j) {
    const Index col = k + j, rem = m - col;
    float beta = 0.0F;
    a.col(col).tail(rem).makeHouseholderInPlace(tau(j), beta);
    a(col, col) = beta;
    if (j + 1 < w) {
      a.block(col, col + 1, rem, w - j - 1)
          .applyHouseholderOnTheLeft(
              a.col(col).tail(rem - 1), tau(j), work.data());
    }
  }
}

BlockReflector make_block_reflector(
    const Matrix& a, Index k, Index w, const Vector& tau) {
  const Index rows = a.rows() - k;
  BlockReflector r{
      .v = a.block(k, k, rows, w)
               .triangularView<Eigen::UnitLower>()
               .toDenseMatrix(),
      .t = Matrix::Zero(w, w)};
  const Matrix vtv = r.v.transpose() * r.v;
  for (Index i = 0; i < w; ++i) {
    r.t(i, i) = tau(i);
    if (i > 0) {
      const Vector t_vtv =
          r.t.topLeftCorner(i, i).triangularView<Eigen::Upper>() *
          vtv.col(i).head(i);
      r.t.col(i).head(i) = -tau(i) * t_vtv;
    }
  }
  return r;
}

// x = (I - V op(T) V^T) x on rows k.. of columns [first, end) of x, in
// kChunk chunks shared out by OpenMP. op(T) = T^T applies Q^T (the QR's
// trailing update), op(T) = T applies Q (forming Q).
void apply_block_reflector(
    const BlockReflector& r,
    bool transpose_t,
    Matrix& x,
    Index k,
    Index first) {
  const Index rows = r.v.rows(), cols = x.cols() - first;
  const Index chunks = (cols + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(dynamic, 1)
  for (Index c = 0; c < chunks; ++c) {
    const Index begin = first + c * kChunk;
    const Index width = std::min(kChunk, x.cols() - begin);
    auto block = x.block(k, begin, rows, width);
    Matrix w = r.v.transpose() * block;
    if (transpose_t) {
      w = r.t.transpose().triangularView<Eigen::Lower>() * w;
    } else {
      w = r.t.triangularView<Eigen::Upper>() * w;
    }
    block.noalias() -= r.v * w;
  }
}

}  // namespace

// Declared in blocked_qr.cpp, which picks the tier.
void householder_q(float* a, std::int64_t m, std::int64_t n, float* sign);

void householder_q(float* a, std::int64_t m, std::int64_t n, float* sign) {
  pin_gemm_blocking();
  // An own aligned copy: Eigen's vectorized reductions peel to alignment,
  // so the caller's buffer address must not reach the arithmetic.
  Matrix qr = Eigen::Map<const Matrix>(a, m, n);
  std::vector<BlockReflector> blocks;
  Vector tau(kPanel);
  for (Index k = 0; k < n; k += kPanel) {
    const Index w = std::min(kPanel, n - k);
    factor_panel(qr, k, w, tau);
    blocks.push_back(make_block_reflector(qr, k, w, tau));
    if (k + w < n) apply_block_reflector(blocks.back(), true, qr, k, k + w);
  }
  for (Index j = 0; j < n; ++j) {
    const float d = qr(j, j);
    sign[j] = static_cast<float>((d > 0.0F) - (d < 0.0F));
  }
  // Q's first n columns: H_1 ... H_p applied to I, the last block first.
  qr = Matrix::Identity(m, n);
  for (Index b = static_cast<Index>(blocks.size()); b-- > 0;) {
    const Index k = b * kPanel;
    apply_block_reflector(blocks[static_cast<std::size_t>(b)], false, qr, k, k);
  }
  Eigen::Map<Matrix>(a, m, n) = qr;
}

}  // namespace initforge::plugins::INITFORGE_QR_TIER
