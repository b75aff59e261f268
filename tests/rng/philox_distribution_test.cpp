// SPDX-License-Identifier: Apache-2.0
// Philox distributions: KS tests against the targets, exact bounds, moments
// and PyTorch's error messages.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/core/generator.h"

#include "tests/testing/stats.h"

namespace initforge {
namespace {

constexpr std::size_t kN = 200000;
constexpr double kMinP = 1e-4;

std::shared_ptr<Generator> gen(std::uint64_t seed, const char* path = "w") {
  return RandomSource::create(RngKind::Philox, seed)->generator_for(path);
}

template <class F>
void expect_invalid(F&& f, const std::string& substring) {
  try {
    f();
    FAIL() << "expected InvalidArgument containing: " << substring;
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(substring), std::string::npos)
        << e.what();
  }
}

TEST(PhiloxUniform, PassesKsAndStaysInsideBounds) {
  const std::pair<double, double> ranges[] = {
      {0.0, 1.0}, {-3.0, 2.0}, {-0.05, 0.05}, {100.0, 101.0}, {1e-3, 4e6}};
  std::uint64_t seed = 1;
  for (auto [from, to] : ranges) {
    std::vector<float> x(kN);
    gen(seed++)->uniform(x, from, to);
    const auto from_f = static_cast<float>(from);
    const auto to_f = static_cast<float>(to);
    const auto m = testing::moments(x);
    EXPECT_GE(m.min, from_f) << from << ", " << to;
    EXPECT_LT(m.max, to_f) << from << ", " << to;
    const double sd = (to - from) / std::sqrt(12.0);
    EXPECT_NEAR(m.mean, (from + to) / 2, testing::mean_tolerance(sd, kN));
    EXPECT_NEAR(m.std, sd, testing::std_tolerance(sd, kN, 5.0, -1.2));
    const auto ks = testing::ks_test(x, [from = from, to = to](double v) {
      return testing::uniform_cdf(v, from, to);
    });
    EXPECT_GT(ks.p_value, kMinP) << from << ", " << to << " D=" << ks.statistic;
  }
}

TEST(PhiloxUniform, NarrowRangeNeverReachesTo) {
  // One float step: every value must be exactly `from`.
  const float from = 1.0f;
  const float to = std::nextafter(from, 2.0f);
  std::vector<float> x(10000);
  gen(3)->uniform(x, from, to);
  for (float v : x) ASSERT_EQ(v, from);
}

TEST(PhiloxUniform, EqualBoundsFillTheConstant) {
  std::vector<float> x(1000, 7.0f);
  gen(4)->uniform(x, 0.25, 0.25);
  for (float v : x) ASSERT_EQ(v, 0.25f);
}

TEST(PhiloxUniform, RejectsBadRangesWithPyTorchMessages) {
  std::vector<float> x(4);
  auto g = gen(5);
  expect_invalid(
      [&] { g->uniform(x, 2, 1); },
      "uniform_ expects to return a [from, to) range, but found from=2 > to=1");
  expect_invalid(
      [&] { g->uniform(x, -3e38, 3e38); },
      "uniform_ expects to-from <= std::numeric_limits<float>::max(), but "
      "found to=3e+38 and from=-3e+38 which result in to-from to exceed the "
      "limit");
  expect_invalid(
      [&] { g->uniform(x, std::nan(""), 1); },
      "from is out of bounds for float");
  expect_invalid(
      [&] { g->uniform(x, 0, std::numeric_limits<double>::infinity()); },
      "to is out of bounds for float");
  expect_invalid([&] { g->uniform(x, 0, 1e39); }, "to is out of bounds");
}

TEST(PhiloxNormal, PassesKsWithMatchingMoments) {
  const std::pair<double, double> params[] = {
      {0.0, 1.0}, {3.0, 0.02}, {-2.0, 5.0}, {0.0, 1e-4}};
  std::uint64_t seed = 10;
  for (auto [mu, sd] : params) {
    std::vector<float> x(kN);
    gen(seed++)->normal(x, mu, sd);
    const auto m = testing::moments(x);
    EXPECT_NEAR(m.mean, mu, testing::mean_tolerance(sd, kN))
        << mu << ", " << sd;
    EXPECT_NEAR(m.std, sd, testing::std_tolerance(sd, kN)) << mu << ", " << sd;
    const auto ks = testing::ks_test(x, [mu = mu, sd = sd](double v) {
      return testing::normal_cdf(v, mu, sd);
    });
    EXPECT_GT(ks.p_value, kMinP) << mu << ", " << sd << " D=" << ks.statistic;
  }
}

// The words of draw 0 of (seed, path): what the first fill call consumes.
std::vector<std::uint32_t> draw0_words(
    std::uint64_t seed, const char* path, std::size_t n) {
  std::vector<std::uint32_t> w(n);
  gen(seed, path)->random_u32(w);
  return w;
}

TEST(PhiloxNormal, MatchesDoublePrecisionBoxMuller) {
  // Our log/sin/cos polynomials against libm in double, on the same words.
  constexpr std::size_t kCount = 64 * 512;
  const auto w = draw0_words(80, "bm", kCount);
  std::vector<float> z(kCount);
  gen(80, "bm")->normal(z, 0.0, 1.0);
  double worst = 0.0;
  for (std::size_t i = 0; i < kCount; ++i) {
    const std::size_t j = (i % 64) / 16;         // word of the block
    const std::size_t first = i - (j % 2) * 16;  // element of the pair's w0
    const double u1 = static_cast<double>(std::fma(
        static_cast<float>(static_cast<std::int32_t>(w[first] >> 1)),
        0x1p-31f,
        0x1p-32f));
    const double theta = 2.0 * std::numbers::pi *
                         static_cast<double>(w[first + 16] >> 8) * 0x1p-24;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double ref = j % 2 == 0 ? r * std::cos(theta) : r * std::sin(theta);
    worst =
        std::max(worst, std::fabs(z[i] - ref) / std::max(1.0, std::fabs(ref)));
  }
  EXPECT_LT(worst, 1e-6);
}

// Inverse of the upper tail Q(x) = P(N(0,1) > x) for q <= 0.5, by bisection.
double upper_quantile(double q) {
  double lo = 0.0, hi = 40.0;
  for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
    const double mid = 0.5 * (lo + hi);
    (testing::normal_sf(mid) > q ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

TEST(PhiloxTruncatedNormal, MatchesDoublePrecisionInverseCdf) {
  // erfinv (Giles + our tail branch) against a double-precision quantile on
  // the same words, from the centre to the far tails.
  struct Case {
    double a, b;
  };
  const Case cases[] = {{-2, 2}, {2, 3}, {-1, 5}, {-9, -8.5}, {-12, 12}};
  constexpr std::size_t kCount = 64 * 256;
  const auto w = draw0_words(81, "tn", kCount);
  for (const Case& c : cases) {
    std::vector<float> x(kCount);
    gen(81, "tn")->truncated_normal(x, 0.0, 1.0, c.a, c.b);
    const double pa = testing::normal_cdf(c.a), qb = testing::normal_sf(c.b);
    const double d =
        c.a > 0 ? testing::normal_sf(c.a) - qb : testing::normal_cdf(c.b) - pa;
    double worst = 0.0;
    for (std::size_t i = 0; i < kCount; ++i) {
      const double u = (static_cast<double>(w[i] >> 9) + 0.5) * 0x1p-23;
      const double p_low = pa + u * d, p_high = qb + (1 - u) * d;
      double ref =
          p_low < 0.5 ? -upper_quantile(p_low) : upper_quantile(p_high);
      ref = std::clamp(ref, c.a, c.b);
      worst = std::max(
          worst, std::fabs(x[i] - ref) / std::max(1.0, std::fabs(ref)));
    }
    EXPECT_LT(worst, 1e-6) << "[" << c.a << ", " << c.b << "]";
  }
}

TEST(PhiloxNormal, TailsHaveTheRightMass) {
  // P(|z| > 4) = 6.3e-5: about 126 of 2M; a broken log/radius shows here.
  std::vector<float> x(2'000'000);
  gen(20)->normal(x, 0.0, 1.0);
  std::size_t beyond3 = 0, beyond4 = 0;
  for (float v : x) {
    ASSERT_TRUE(std::isfinite(v));
    beyond3 += std::fabs(v) > 3.0f;
    beyond4 += std::fabs(v) > 4.0f;
  }
  const double n = static_cast<double>(x.size());
  const double e3 = n * 2 * testing::normal_sf(3.0);
  const double e4 = n * 2 * testing::normal_sf(4.0);
  EXPECT_NEAR(static_cast<double>(beyond3), e3, 5 * std::sqrt(e3));
  EXPECT_NEAR(static_cast<double>(beyond4), e4, 5 * std::sqrt(e4));
}

TEST(PhiloxNormal, ZeroStdFillsTheMean) {
  std::vector<float> x(100);
  gen(21)->normal(x, 1.5, 0.0);
  for (float v : x) ASSERT_EQ(v, 1.5f);
}

TEST(PhiloxNormal, RejectsNegativeStd) {
  std::vector<float> x(4);
  expect_invalid(
      [&] { gen(22)->normal(x, 0.0, -1.0); },
      "normal expects std >= 0.0, but found std -1");
}

TEST(PhiloxTruncatedNormal, PassesKsOnCentralAndTailIntervals) {
  struct Case {
    double mean, std, a, b;
  };
  const Case cases[] = {
      {0.0, 1.0, -2.0, 2.0},
      {0.0, 1.0, 2.0, 3.0},
      {0.0, 1.0, -3.0, -2.0},
      {0.0, 0.02, -0.04, 0.04},
      {1.0, 0.5, 0.0, 3.0},
      {0.0, 1.0, 5.0, 6.0},
      {0.0, 1.0, -9.0, -8.5},
      {0.0, 1.0, 0.0, 1e-3},
      {-1.0, 2.0, -1.0, 100.0},
      {0.0, 1.0, 2.0, std::numeric_limits<double>::infinity()}};
  std::uint64_t seed = 30;
  for (const Case& c : cases) {
    std::vector<float> x(kN);
    gen(seed++)->truncated_normal(x, c.mean, c.std, c.a, c.b);
    const auto m = testing::moments(x);
    const auto [mu, sd] =
        testing::truncated_normal_mean_std(c.mean, c.std, c.a, c.b);
    EXPECT_NEAR(m.mean, mu, testing::mean_tolerance(sd, kN))
        << c.a << ", " << c.b;
    // Truncated tails are light: the normal's kurtosis bounds the SE.
    EXPECT_NEAR(m.std, sd, testing::std_tolerance(sd, kN))
        << c.a << ", " << c.b;
    EXPECT_GE(m.min, static_cast<float>(c.a)) << c.a << ", " << c.b;
    EXPECT_LE(m.max, static_cast<float>(c.b)) << c.a << ", " << c.b;
    const auto ks = testing::ks_test(x, [&](double v) {
      return testing::truncated_normal_cdf(v, c.mean, c.std, c.a, c.b);
    });
    EXPECT_GT(ks.p_value, kMinP)
        << "N(" << c.mean << ", " << c.std << ") on [" << c.a << ", " << c.b
        << "] D=" << ks.statistic;
  }
}

TEST(PhiloxTruncatedNormal, ManyUniqueValuesAndNoneClampedAtModerateStd) {
  // torch's test: std 0.1 on [-2, 2] never clamps; > 5000 of 10000 unique.
  std::vector<float> x(10000);
  gen(50)->truncated_normal(x, 0.0, 0.1, -2.0, 2.0);
  std::vector<float> sorted = x;
  std::sort(sorted.begin(), sorted.end());
  const auto unique =
      std::unique(sorted.begin(), sorted.end()) - sorted.begin();
  EXPECT_GT(unique, 5000);
  for (float v : x) ASSERT_TRUE(v > -2.0f && v < 2.0f) << v;
}

TEST(PhiloxTruncatedNormal, RejectsBadArguments) {
  std::vector<float> x(4);
  auto g = gen(51);
  expect_invalid(
      [&] { g->truncated_normal(x, 0.0, 0.0, -2.0, 2.0); },
      "truncated_normal expects a finite mean and std > 0, but found mean 0 "
      "and std 0");
  expect_invalid(
      [&] { g->truncated_normal(x, 0.0, -1.0, -2.0, 2.0); }, "std -1");
  expect_invalid(
      [&] { g->truncated_normal(x, 0.0, 1.0, 2.0, 1.0); },
      "truncated_normal expects a <= b, but found a=2 > b=1");
}

TEST(PhiloxRandomU32, BitsAreBalanced) {
  std::vector<std::uint32_t> x(kN);
  gen(60)->random_u32(x);
  for (int bit = 0; bit < 32; ++bit) {
    std::size_t ones = 0;
    for (std::uint32_t v : x) ones += (v >> bit) & 1u;
    EXPECT_NEAR(static_cast<double>(ones), kN / 2.0, 5 * std::sqrt(kN / 4.0))
        << bit;
  }
}

TEST(PhiloxPermutation, IsAPermutationWithUniformPositions) {
  // Position of element 0 over many permutations of 10: uniform.
  auto g = gen(70);
  std::vector<std::int64_t> p(10);
  std::vector<double> where(10, 0.0);
  constexpr int kTrials = 20000;
  for (int t = 0; t < kTrials; ++t) {
    g->permutation(p);
    std::vector<std::int64_t> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (std::int64_t i = 0; i < 10; ++i) ASSERT_EQ(sorted[i], i);
    where[std::find(p.begin(), p.end(), 0) - p.begin()] += 1;
  }
  double chi2 = 0.0;
  for (double w : where)
    chi2 += (w - kTrials / 10.0) * (w - kTrials / 10.0) / (kTrials / 10.0);
  EXPECT_LT(chi2, 33.7);  // chi2(9) upper 1e-4 quantile
}

TEST(PhiloxContract, PinnedValuesForSeedZero) {
  // The reproducibility contract (philox_generator.cpp): these must never
  // change, whatever the kernel or thread count.
  auto g = gen(0, "fc1.weight");
  std::vector<std::uint32_t> u(4);
  g->random_u32(u);
  EXPECT_EQ(
      u,
      (std::vector<std::uint32_t>{
          0xa70e1e98, 0x47322662, 0x201c9fe1, 0xdea14af5}));
  std::vector<float> x(4);
  g->uniform(x, -1, 1);
  EXPECT_EQ(
      x,
      (std::vector<float>{
          -0.419623375f, 0.436335087f, 0.347306371f, 0.341707349f}));
  g->normal(x, 0, 1);
  EXPECT_EQ(
      x,
      (std::vector<float>{
          1.11691999f, -0.0136241922f, 1.14455783f, 0.174502164f}));
  g->truncated_normal(x, 0, 1, -2, 2);
  EXPECT_EQ(
      x,
      (std::vector<float>{
          0.0858861208f, -1.26807928f, 0.520327687f, -0.766415656f}));
  std::vector<std::int64_t> p(8);
  g->permutation(p);
  EXPECT_EQ(p, (std::vector<std::int64_t>{2, 6, 5, 4, 0, 3, 1, 7}));
}

TEST(PhiloxTruncatedNormal, FarTailIntervalsStayInsideBounds) {
  // Beyond ~13 sigma the float tail mass underflows: values sit at the
  // nearer bound (documented), never outside [a, b] and never NaN.
  std::vector<float> x(1000);
  gen(72)->truncated_normal(x, 0.0, 1.0, 20.0, 21.0);
  for (float v : x) ASSERT_TRUE(v >= 20.0f && v <= 21.0f) << v;
  gen(73)->truncated_normal(x, 0.0, 1.0, 3.0, 3.0);
  for (float v : x) ASSERT_EQ(v, 3.0f);
}

TEST(PhiloxPermutation, HandlesEmptyAndSingle) {
  auto g = gen(71);
  std::vector<std::int64_t> none;
  g->permutation(none);
  std::vector<std::int64_t> one(1, 5);
  g->permutation(one);
  EXPECT_EQ(one[0], 0);
}

}  // namespace
}  // namespace initforge
