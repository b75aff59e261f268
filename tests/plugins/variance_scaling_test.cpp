// SPDX-License-Identifier: Apache-2.0
// kaiming_*, xavier_*, lecun_*, variance_scaling, fan_in_uniform in philox
// mode: the declared target equals an independently written formula, and
// 1e5 values pass a KS test against it (2-D and 4-D, both modes, gains).

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "tests/plugins/plugin_test_util.h"

namespace initforge::testing {
namespace {

// fan_in = 250, fan_out = 400 / fan_in = 32*49 = 1568, fan_out = 64*49 = 3136.
const Shape k2d{400, 250};
const Shape k4d{64, 32, 7, 7};
constexpr double kTruncStd = 0.87962566103423978;  // std of N(0,1) on [-2, 2]

struct Case {
  std::string scheme;
  ArgList args;
  Shape shape;
  Target want;
};

Target sym_uniform(double bound) {
  return Target::uniform(-bound, bound);
}
Target cut_normal(double std) {
  return Target::truncated_normal(0, std, -2 * std, 2 * std);
}
double leaky_gain(double a) {
  return std::sqrt(2.0 / (1 + a * a));
}

void run_cases(const std::vector<Case>& cases) {
  std::uint64_t seed = 100;
  for (const Case& c : cases) {
    SCOPED_TRACE(
        ::testing::Message()
        << c.scheme << " on " << c.shape.to_string() << " case " << seed - 100);
    const auto init = make(c.scheme, c.args);
    const Target got = init->target(param_of(c.shape));
    EXPECT_EQ(got.kind, c.want.kind);
    EXPECT_NEAR(got.std, c.want.std, 1e-12 * c.want.std);
    EXPECT_NEAR(got.high, c.want.high, 1e-12 * std::fabs(c.want.high));
    EXPECT_NEAR(got.low, c.want.low, 1e-12 * std::fabs(c.want.low));
    const std::vector<float> x = fill(c.scheme, c.args, {c.shape}, seed++);
    EXPECT_GT(ks_p(x, c.want), kMinP);
    if (c.want.kind != Target::Kind::Normal) {
      const auto [lo, hi] = std::ranges::minmax(x);
      EXPECT_GE(lo, static_cast<float>(c.want.low));
      EXPECT_LE(hi, static_cast<float>(c.want.high));
    }
  }
}

std::vector<Case> kaiming_cases(
    const Shape& shape, double fan_in, double fan_out) {
  std::vector<Case> cases;
  for (const double a : {0.0, 0.2, 1.7}) {
    for (const auto& [mode, fan] :
         {std::pair{"fan_in", fan_in}, std::pair{"fan_out", fan_out}}) {
      const double std = leaky_gain(a) / std::sqrt(fan);
      const ArgList args = {{"a", a}, {"mode", std::string(mode)}};
      cases.push_back(
          {"kaiming_uniform", args, shape, sym_uniform(std::sqrt(3.0) * std)});
      cases.push_back({"kaiming_normal", args, shape, Target::normal(0, std)});
    }
  }
  return cases;
}

TEST(KaimingSchemes, MatchHeFormulaOn2dWeights) {
  run_cases(kaiming_cases(k2d, 250, 400));
}

TEST(KaimingSchemes, MatchHeFormulaOn4dWeights) {
  run_cases(kaiming_cases(k4d, 1568, 3136));
}

TEST(KaimingSchemes, UseTheGainOfTheNamedNonlinearity) {
  const std::vector<std::pair<std::string, double>> gains = {
      {"relu", std::sqrt(2.0)},
      {"tanh", 5.0 / 3},
      {"linear", 1.0},
      {"selu", 0.75},
      {"conv2d", 1.0},
      {"sigmoid", 1.0}};
  std::vector<Case> cases;
  for (const auto& [nonlinearity, gain] : gains) {
    const ArgList args = {{"nonlinearity", nonlinearity}};
    cases.push_back(
        {"kaiming_normal",
         args,
         k2d,
         Target::normal(0, gain / std::sqrt(250.0))});
  }
  cases.push_back(
      {"kaiming_uniform",
       {{"nonlinearity", std::string("tanh")},
        {"mode", std::string("fan_out")}},
       k4d,
       sym_uniform(std::sqrt(3.0) * (5.0 / 3) / std::sqrt(3136.0))});
  run_cases(cases);
}

TEST(XavierSchemes, MatchGlorotFormulaWithAndWithoutGain) {
  std::vector<Case> cases;
  for (const double gain : {1.0, 0.35, 1.9}) {
    for (const auto& [shape, fans] :
         {std::pair{k2d, 650.0}, std::pair{k4d, 4704.0}}) {
      const ArgList args = {{"gain", gain}};
      cases.push_back(
          {"xavier_uniform",
           args,
           shape,
           sym_uniform(gain * std::sqrt(6.0 / fans))});
      cases.push_back(
          {"xavier_normal",
           args,
           shape,
           Target::normal(0, gain * std::sqrt(2.0 / fans))});
    }
  }
  run_cases(cases);
}

TEST(LecunSchemes, AreKerasVarianceScalingOnFanIn) {
  run_cases({
      {"lecun_uniform", {}, k2d, sym_uniform(std::sqrt(3.0 / 250))},
      {"lecun_uniform", {}, k4d, sym_uniform(std::sqrt(3.0 / 1568))},
      {"lecun_normal", {}, k2d, cut_normal(std::sqrt(1.0 / 250) / kTruncStd)},
      {"lecun_normal", {}, k4d, cut_normal(std::sqrt(1.0 / 1568) / kTruncStd)},
  });
}

TEST(VarianceScalingScheme, DefaultsToTruncatedNormalOnFanIn) {
  run_cases(
      {{"variance_scaling",
        {},
        k2d,
        cut_normal(std::sqrt(1.0 / 250) / kTruncStd)}});
}

std::vector<Case> variance_scaling_cases(
    const Shape& shape, double fan_in, double fan_out) {
  std::vector<Case> cases;
  for (const double scale : {0.5, 2.0}) {
    for (const auto& [mode, n] :
         {std::pair{"fan_in", fan_in},
          std::pair{"fan_out", fan_out},
          std::pair{"fan_avg", (fan_in + fan_out) / 2}}) {
      const auto args = [&, mode = mode](const char* distribution) {
        return ArgList{
            {"scale", scale},
            {"mode", std::string(mode)},
            {"distribution", std::string(distribution)}};
      };
      cases.push_back(
          {"variance_scaling",
           args("truncated_normal"),
           shape,
           cut_normal(std::sqrt(scale / n) / kTruncStd)});
      cases.push_back(
          {"variance_scaling",
           args("untruncated_normal"),
           shape,
           Target::normal(0, std::sqrt(scale / n))});
      cases.push_back(
          {"variance_scaling",
           args("uniform"),
           shape,
           sym_uniform(std::sqrt(3 * scale / n))});
    }
  }
  return cases;
}

TEST(VarianceScalingScheme, MatchesKerasOn2dWeights) {
  run_cases(variance_scaling_cases(k2d, 250, 400));
}

TEST(VarianceScalingScheme, MatchesKerasOn4dWeights) {
  run_cases(variance_scaling_cases(k4d, 1568, 3136));
}

TEST(VarianceScalingScheme, TruncatedValuesKeepTheTargetVariance) {
  // The 0.8796 correction exists so the variance is scale / n after the cut.
  const std::vector<float> x = fill(
      "variance_scaling",
      {{"scale", 2.0}, {"mode", std::string("fan_avg")}},
      {k2d});
  const double want = std::sqrt(2.0 / 325);
  EXPECT_NEAR(stddev(x), want, std_tolerance(want, x.size(), 5.0, -0.5));
}

TEST(FanInUniformScheme, WeightUsesItsOwnFanIn) {
  run_cases(
      {{"fan_in_uniform", {}, k2d, sym_uniform(1 / std::sqrt(250.0))},
       {"fan_in_uniform", {}, k4d, sym_uniform(1 / std::sqrt(1568.0))}});
}

TEST(FanInUniformScheme, BiasUsesTheFanInOfItsWeight) {
  const ParamSpec bias{Shape{100000}, Fans{300, 100000}, "fc.bias"};
  const auto init = make("fan_in_uniform");
  const Target want = sym_uniform(1 / std::sqrt(300.0));
  const Target got = init->target({bias.path, bias.shape, bias.fans});
  EXPECT_DOUBLE_EQ(got.high, want.high);
  const std::vector<float> x = fill_range(*init, bias, 0, -1);
  EXPECT_GT(ks_p(x, want), kMinP);
  const auto [lo, hi] = std::ranges::minmax(x);
  EXPECT_GE(lo, static_cast<float>(want.low));
  EXPECT_LT(hi, static_cast<float>(want.high));
}

TEST(FanInUniformScheme, ZeroFanInGivesZeroBound) {
  const ParamSpec bias{Shape{5}, Fans{0, 5}, "fc.bias"};
  const std::vector<float> x = fill_range(*make("fan_in_uniform"), bias, 0, -1);
  EXPECT_TRUE(std::ranges::all_of(x, [](float v) { return v == 0.0F; }));
}

}  // namespace
}  // namespace initforge::testing
