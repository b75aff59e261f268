// SPDX-License-Identifier: Apache-2.0
// The AVX2 kernel table against the portable one, bit for bit, over inputs
// that cover the whole U24 domain; and the portable math against libm.
#include "framework/core/rng/torch_kernels.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "tests/testing/torch_golden.h"

namespace initforge {
namespace {

using testing::bit_mismatch;
using torch_rng::Kernels;

constexpr float kU24Step = 5.9604644775390625e-8F;  // 2^-24

// The SIMD tables this CPU runs; each must match the portable one.
std::vector<const Kernels*> simd_tables() {
  std::vector<const Kernels*> tables;
  for (const Kernels* k :
       {torch_rng::avx2_kernels(), torch_rng::avx512_kernels()}) {
    if (k != nullptr) tables.push_back(k);
  }
  return tables;
}

std::vector<std::uint32_t> random_words(std::size_t n, std::uint32_t seed) {
  std::mt19937 mt(seed);
  std::vector<std::uint32_t> w(n);
  for (auto& x : w) x = mt();
  return w;
}

// Blocks of 16 U24 values: lanes 0-7 (u1) stride through [0, 1) and lanes
// 8-15 (u2) too, plus the ends and the octant edges of theta = 2*pi*u2.
std::vector<float> box_muller_inputs() {
  std::vector<float> v;
  const std::uint32_t step = 61;  // prime: 275k values per lane group
  for (std::uint32_t k = 0; k < (1U << 24); k += 8 * step) {
    for (std::uint32_t j = 0; j < 8; ++j) {
      v.push_back(static_cast<float>((k + j * step) % (1U << 24)) * kU24Step);
    }
    for (std::uint32_t j = 0; j < 8; ++j) {
      v.push_back(
          static_cast<float>((k * 7 + j * step) % (1U << 24)) * kU24Step);
    }
  }
  // Ends of the domain and the octant edges of theta = 2*pi*u2 (j changes at
  // u2 = m/8), each in a u1 lane and in a u2 lane.
  std::vector<float> special;
  for (std::uint32_t e : {0U, 1U, 2U, (1U << 24) - 1, (1U << 24) - 2}) {
    special.push_back(static_cast<float>(e) * kU24Step);
  }
  for (std::uint32_t octant = 1; octant < 8; ++octant) {
    for (std::uint32_t d = 0; d < 5; ++d) {
      special.push_back(static_cast<float>((octant << 21) + d - 2) * kU24Step);
    }
  }
  while (special.size() % 8 != 0) special.push_back(0.5F);
  for (std::size_t i = 0; i < special.size(); i += 8) {
    v.insert(v.end(), special.begin() + i, special.begin() + i + 8);
    v.insert(v.end(), special.begin() + i, special.begin() + i + 8);
  }
  return v;
}

TEST(TorchKernels, TwistAndTemperAgreeWithPortable) {
  if (simd_tables().empty()) GTEST_SKIP() << "CPU without AVX2/FMA";
  const Kernels& portable = torch_rng::scalar_kernels();
  const std::vector<std::uint32_t> raw = random_words(1000, 9);
  for (const Kernels* simd : simd_tables()) {
    for (std::uint32_t seed : {1U, 2U, 3U}) {
      std::vector<std::uint32_t> a = random_words(torch_rng::kStateWords, seed);
      std::vector<std::uint32_t> b = a;
      for (int round = 0; round < 3; ++round) {
        portable.twist(a.data());
        simd->twist(b.data());
        ASSERT_EQ(a, b) << simd->name << " seed " << seed << " round " << round;
      }
    }
    for (std::size_t n : {0UL, 1UL, 7UL, 8UL, 9UL, 31UL, 1000UL}) {
      std::vector<std::uint32_t> a(n);
      std::vector<std::uint32_t> b(n);
      portable.temper(raw.data(), a.data(), n);
      simd->temper(raw.data(), b.data(), n);
      EXPECT_EQ(a, b) << simd->name << " n " << n;
    }
  }
}

TEST(TorchKernels, UniformAgreesWithPortable) {
  if (simd_tables().empty()) GTEST_SKIP() << "CPU without AVX2/FMA";
  const std::vector<std::uint32_t> raw = random_words(4099, 5);
  const float ranges[][2] = {
      {0.0F, 1.0F}, {-0.3F, 1.0F}, {-0.0883883F, 0.1767766F}, {5.0F, 0.0F}};
  for (const Kernels* simd : simd_tables()) {
    for (const auto& r : ranges) {
      std::vector<float> a(raw.size());
      std::vector<float> b(raw.size());
      torch_rng::scalar_kernels().uniform(
          raw.data(), a.data(), a.size(), r[0], r[1]);
      simd->uniform(raw.data(), b.data(), b.size(), r[0], r[1]);
      EXPECT_EQ(bit_mismatch(b, a), "")
          << simd->name << " from " << r[0] << " range " << r[1];
    }
  }
}

TEST(TorchKernels, BoxMullerAgreesWithPortableOverTheU24Domain) {
  if (simd_tables().empty()) GTEST_SKIP() << "CPU without AVX2/FMA";
  const std::vector<float> input = box_muller_inputs();
  const float params[][2] = {{0.0F, 1.0F}, {0.5F, 0.02F}, {-3.0F, 7.0F}};
  for (const auto& p : params) {
    std::vector<float> want = input;
    torch_rng::scalar_kernels().box_muller(
        want.data(), want.size() / 16, p[0], p[1]);
    for (const Kernels* simd : simd_tables()) {
      // Whole input, and an odd block count (AVX-512 pairs blocks).
      std::vector<float> got = input;
      simd->box_muller(got.data(), got.size() / 16, p[0], p[1]);
      EXPECT_EQ(bit_mismatch(got, want), "")
          << simd->name << " mean " << p[0] << " std " << p[1];
      got = input;
      simd->box_muller(got.data(), 3, p[0], p[1]);
      EXPECT_EQ(bit_mismatch({got.data(), 48}, {want.data(), 48}), "")
          << simd->name << " 3 blocks";
      EXPECT_EQ(
          bit_mismatch({got.data() + 48, 16}, {input.data() + 48, 16}), "")
          << simd->name << " wrote past 3 blocks";
    }
  }
}

TEST(TorchKernels, ErfinvAffineAgreesWithPortable) {
  if (simd_tables().empty()) GTEST_SKIP() << "CPU without AVX2/FMA";
  std::vector<float> input;
  for (int i = -20000; i <= 20000; ++i) input.push_back(i / 20000.0F);
  for (float y : {0.7F, -0.7F, std::nextafter(0.7F, 1.0F), 1.5F, -0.0F}) {
    input.push_back(y);
  }
  std::vector<float> want = input;
  torch_rng::scalar_kernels().erfinv_affine(
      want.data(), want.size(), 1.4F, 0.1F, -2.0F, 2.5F);
  for (const Kernels* simd : simd_tables()) {
    std::vector<float> got = input;
    simd->erfinv_affine(got.data(), got.size(), 1.4F, 0.1F, -2.0F, 2.5F);
    EXPECT_EQ(bit_mismatch(got, want), "") << simd->name;
  }
}

TEST(TorchMathfun, LogIsAccurateOverTheU24Domain) {
  double worst = 0.0;
  for (std::uint32_t k = 1; k <= (1U << 24); k += 997) {
    const float x = static_cast<float>(k) * kU24Step;
    const double want = std::log(static_cast<double>(x));
    const double err = std::fabs(torch_rng::mathfun_log(x) - want);
    worst = std::max(worst, err / std::max(std::fabs(want), 1e-3));
  }
  EXPECT_LT(worst, 5e-7);
  EXPECT_EQ(torch_rng::mathfun_log(1.0F), 0.0F);
  EXPECT_TRUE(std::isnan(torch_rng::mathfun_log(0.0F)));
  EXPECT_TRUE(std::isnan(torch_rng::mathfun_log(-1.0F)));
}

TEST(TorchMathfun, SincosIsAccurateOnZeroToTwoPi) {
  double worst = 0.0;
  for (int k = 0; k <= 100000; ++k) {
    const float x = static_cast<float>(k) * 6.2831855F / 100000.0F;
    float s = 0.0F;
    float c = 0.0F;
    torch_rng::mathfun_sincos(x, &s, &c);
    worst = std::max(worst, std::fabs(s - std::sin(static_cast<double>(x))));
    worst = std::max(worst, std::fabs(c - std::cos(static_cast<double>(x))));
  }
  EXPECT_LT(worst, 1e-6);
}

TEST(TorchMathfun, ErfinvInvertsErfAndHandlesTheEnds) {
  for (int i = -999; i <= 999; ++i) {
    const float y = static_cast<float>(i) / 1000.0F;
    const double back = std::erf(static_cast<double>(torch_rng::erfinv(y)));
    EXPECT_NEAR(back, y, 2e-7) << "y " << y;
  }
  EXPECT_EQ(torch_rng::erfinv(0.0F), 0.0F);
  EXPECT_EQ(torch_rng::erfinv(1.0F), INFINITY);
  EXPECT_EQ(torch_rng::erfinv(-1.0F), -INFINITY);
  EXPECT_TRUE(std::isnan(torch_rng::erfinv(1.5F)));
}

TEST(TorchKernels, BestIsTheWidestTableTheCpuRuns) {
  const std::vector<const Kernels*> simd = simd_tables();
  EXPECT_EQ(
      &torch_rng::best_kernels(),
      simd.empty() ? &torch_rng::scalar_kernels() : simd.back());
  EXPECT_EQ(torch_rng::scalar_kernels().name, "scalar");
  if (torch_rng::avx512_kernels() != nullptr) {
    EXPECT_NE(torch_rng::avx2_kernels(), nullptr);
    EXPECT_EQ(torch_rng::avx512_kernels()->name, "avx512");
  }
}

}  // namespace
}  // namespace initforge
