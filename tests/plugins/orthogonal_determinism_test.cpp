// SPDX-License-Identifier: Apache-2.0
// philox orthogonal (issue 10): the same bits with 1 and 2 OpenMP threads
// whatever BLAS is loaded, on every instruction-set tier this CPU runs, and
// equal to LAPACK's Q (same draw, same sign rule) up to float rounding.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>
#include <lapacke.h>

#include "framework/core/thread_count.h"

#include "tests/plugins/plugin_test_util.h"

namespace initforge::testing {
namespace {

// INITFORGE_ORTHOGONAL_ISA for one scope (nullptr: unset).
class IsaOverride {
 public:
  explicit IsaOverride(const char* tier) {
    if (tier == nullptr) {
      unsetenv("INITFORGE_ORTHOGONAL_ISA");
    } else {
      setenv("INITFORGE_ORTHOGONAL_ISA", tier, 1);
    }
  }
  ~IsaOverride() {
    unsetenv("INITFORGE_ORTHOGONAL_ISA");
  }
};

bool cpu_runs(const std::string& tier) {
  __builtin_cpu_init();
  const bool avx2 =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (tier == "avx512") return avx2 && __builtin_cpu_supports("avx512f");
  return tier == "avx2" ? avx2 : true;
}

constexpr std::uint64_t kSeed = 20240601;

// The same philox draw through LAPACK's sgeqrf + sorgqr, Q * sign(diag R),
// back to (rows, cols) row-major: an oracle independent of Eigen.
std::vector<float> lapack_orthogonal(const Shape& shape) {
  const std::int64_t rows = shape[0], cols = shape.numel() / rows;
  std::vector<float> a(static_cast<std::size_t>(shape.numel()));
  RandomSource::create(RngKind::Philox, kSeed)
      ->generator_for("layer.weight")
      ->normal(a, 0.0, 1.0);
  const bool wide = rows < cols;
  const auto m = static_cast<lapack_int>(std::max(rows, cols));
  const auto n = static_cast<lapack_int>(std::min(rows, cols));
  std::vector<float> q(a.size()), tau(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < rows; ++i) {
    for (std::int64_t j = 0; j < cols; ++j) {
      const auto at = static_cast<std::size_t>(wide ? j + i * m : i + j * m);
      q[at] = a[static_cast<std::size_t>(i * cols + j)];
    }
  }
  EXPECT_EQ(LAPACKE_sgeqrf(LAPACK_COL_MAJOR, m, n, q.data(), m, tau.data()), 0);
  std::vector<float> sign(tau.size());
  for (lapack_int j = 0; j < n; ++j) {
    const float r = q[static_cast<std::size_t>(j) * (m + 1)];
    sign[static_cast<std::size_t>(j)] = (r > 0.0F) - (r < 0.0F);
  }
  EXPECT_EQ(
      LAPACKE_sorgqr(LAPACK_COL_MAJOR, m, n, n, q.data(), m, tau.data()), 0);
  std::vector<float> out(a.size());
  for (std::int64_t j = 0; j < n; ++j) {
    for (std::int64_t i = 0; i < m; ++i) {
      const float v = q[static_cast<std::size_t>(i + j * m)] *
                      sign[static_cast<std::size_t>(j)];
      out[static_cast<std::size_t>(wide ? j * m + i : i * cols + j)] = v;
    }
  }
  return out;
}

float max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  float worst = 0.0F;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::fabs(a[i] - b[i]));
  }
  return worst;
}

// Shapes spanning several 64-column panels and 128-column chunks with
// remainders, tall and wide (transposed), plus issue 10's 1024 x 1024.
const Shape kShapes[] = {Shape{520, 390}, Shape{390, 520}, Shape{1024, 1024}};

TEST(OrthogonalDeterminism, PhiloxBitsDoNotDependOnThreadCount) {
  for (const char* tier : {"baseline", "avx2", "avx512"}) {
    if (!cpu_runs(tier)) {
      std::printf("[ skipped  ] tier %s: this CPU cannot run it\n", tier);
      continue;
    }
    const IsaOverride isa(tier);
    for (const Shape& shape : kShapes) {
      SCOPED_TRACE(std::string(tier) + " " + shape.to_string());
      std::vector<float> one, two;
      {
        const ThreadCount threads(1);
        one = fill("orthogonal", {}, {shape}, kSeed);
      }
      {
        const ThreadCount threads(2);
        two = fill("orthogonal", {}, {shape}, kSeed);
      }
      ASSERT_EQ(one.size(), two.size());
      EXPECT_TRUE(one == two) << "max difference " << max_difference(one, two);
    }
  }
}

TEST(OrthogonalDeterminism, EveryTierMatchesLapackUpToRounding) {
  // Both QRs are backward stable; on these well-conditioned (cond < 15)
  // rectangular draws Q agrees to ~1e-5 (measured max 2e-6 here).
  for (const Shape& shape : {Shape{520, 390}, Shape{390, 520}}) {
    const std::vector<float> want = lapack_orthogonal(shape);
    for (const char* tier : {"baseline", "avx2", "avx512"}) {
      if (!cpu_runs(tier)) continue;
      SCOPED_TRACE(std::string(tier) + " " + shape.to_string());
      const IsaOverride isa(tier);
      const std::vector<float> got = fill("orthogonal", {}, {shape}, kSeed);
      EXPECT_LT(max_difference(got, want), 2e-5F);
    }
  }
}

TEST(OrthogonalDeterminism, UnknownTierIsRefusedByName) {
  const IsaOverride isa("sse9");
  try {
    fill("orthogonal", {}, {Shape{4, 4}}, kSeed);
    ADD_FAILURE() << "an unknown tier was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(
        std::string(e.what()).find(
            "INITFORGE_ORTHOGONAL_ISA: expected baseline, avx2 or avx512, "
            "found 'sse9'"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace initforge::testing
