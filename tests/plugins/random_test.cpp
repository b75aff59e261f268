// SPDX-License-Identifier: Apache-2.0
// uniform, normal, trunc_normal in philox mode: KS against the declared
// target (n = 1e5), exact bounds, defaults.

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/plugins/plugin_test_util.h"

namespace initforge::testing {
namespace {

const ParamSpec kParam{Shape{400, 250}};  // 1e5 values

TEST(UniformScheme, DefaultsToUnitIntervalAndPassesKs) {
  const auto init = make("uniform");
  expect_same_target(
      init->target(param_of(kParam.shape)), Target::uniform(0, 1));
  const std::vector<float> x = fill("uniform", {}, kParam);
  EXPECT_GT(ks_p(x, Target::uniform(0, 1)), kMinP);
}

TEST(UniformScheme, StaysInsideExactBoundsAndPassesKs) {
  const std::vector<std::pair<double, double>> bounds = {
      {-3.0, 2.0}, {0.25, 4.5}, {-1e-3, 1e-3}, {1.5, 6.5}};
  std::uint64_t seed = 1;
  for (const auto& [a, b] : bounds) {
    SCOPED_TRACE(::testing::Message() << "a=" << a << " b=" << b);
    const std::vector<float> x =
        fill("uniform", {{"a", a}, {"b", b}}, kParam, seed++);
    const auto [lo, hi] = std::ranges::minmax(x);
    EXPECT_GE(lo, static_cast<float>(a));
    EXPECT_LT(hi, static_cast<float>(b));
    EXPECT_GT(ks_p(x, Target::uniform(a, b)), kMinP);
  }
}

TEST(UniformScheme, EqualBoundsFillTheConstant) {
  const std::vector<float> x =
      fill("uniform", {{"a", 0.5}, {"b", 0.5}}, {Shape{7, 3}});
  EXPECT_TRUE(std::ranges::all_of(x, [](float v) { return v == 0.5F; }));
}

TEST(NormalScheme, DefaultsToStandardNormalAndPassesKs) {
  expect_same_target(
      make("normal")->target(param_of(kParam.shape)), Target::normal(0, 1));
  const std::vector<float> x = fill("normal", {}, kParam);
  EXPECT_GT(ks_p(x, Target::normal(0, 1)), kMinP);
}

TEST(NormalScheme, PassesKsForSeveralMeansAndStds) {
  const std::vector<std::pair<double, double>> cases = {
      {-2.5, 1.5}, {3.0, 4.75}, {0.0, 0.02}};
  std::uint64_t seed = 11;
  for (const auto& [mean, std] : cases) {
    SCOPED_TRACE(::testing::Message() << "mean=" << mean << " std=" << std);
    const std::vector<float> x =
        fill("normal", {{"mean", mean}, {"std", std}}, kParam, seed++);
    EXPECT_GT(ks_p(x, Target::normal(mean, std)), kMinP);
  }
}

TEST(NormalScheme, ZeroStdFillsTheMean) {
  const std::vector<float> x =
      fill("normal", {{"mean", 1.25}, {"std", 0.0}}, {Shape{5, 9}});
  EXPECT_TRUE(std::ranges::all_of(x, [](float v) { return v == 1.25F; }));
}

TEST(TruncNormalScheme, DefaultsCutAtTwoAndPassKs) {
  expect_same_target(
      make("trunc_normal")->target(param_of(kParam.shape)),
      Target::truncated_normal(0, 1, -2, 2));
  const std::vector<float> x = fill("trunc_normal", {}, kParam);
  const auto [lo, hi] = std::ranges::minmax(x);
  EXPECT_GE(lo, -2.0F);
  EXPECT_LE(hi, 2.0F);
  EXPECT_GT(ks_p(x, Target::truncated_normal(0, 1, -2, 2)), kMinP);
}

TEST(TruncNormalScheme, RespectsBoundsAndPassesKsForAsymmetricCuts) {
  struct Case {
    double mean, std, a, b;
  };
  // Includes a narrow one-sided interval, as PyTorch 2.x's tests do.
  const std::vector<Case> cases = {
      {0.5, 0.3, 0.2, 1.0}, {-1.0, 2.0, -3.0, 0.5}, {0.0, 1.0, 2.0, 3.0}};
  std::uint64_t seed = 21;
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "a=" << c.a << " b=" << c.b);
    const std::vector<float> x = fill(
        "trunc_normal",
        {{"mean", c.mean}, {"std", c.std}, {"a", c.a}, {"b", c.b}},
        kParam,
        seed++);
    const auto [lo, hi] = std::ranges::minmax(x);
    EXPECT_GE(lo, static_cast<float>(c.a));
    EXPECT_LE(hi, static_cast<float>(c.b));
    EXPECT_GT(
        ks_p(x, Target::truncated_normal(c.mean, c.std, c.a, c.b)), kMinP);
  }
}

}  // namespace
}  // namespace initforge::testing
