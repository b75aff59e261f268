// SPDX-License-Identifier: Apache-2.0
#include "framework/init/target.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace initforge {
namespace {

TEST(Target, UniformMoments) {
  const Target t = Target::uniform(-3.0, 1.0);
  EXPECT_DOUBLE_EQ(t.expected_mean(), -1.0);
  EXPECT_DOUBLE_EQ(t.expected_std(), 4.0 / std::sqrt(12.0));
}

TEST(Target, NormalAndConstantMoments) {
  EXPECT_DOUBLE_EQ(Target::normal(0.5, 0.02).expected_std(), 0.02);
  EXPECT_DOUBLE_EQ(Target::constant(3.0).expected_mean(), 3.0);
  EXPECT_DOUBLE_EQ(Target::constant(3.0).expected_std(), 0.0);
}

// Reference values from scipy.stats.truncnorm(a, b).std() / .mean().
TEST(Target, TruncatedNormalMomentsMatchScipy) {
  const Target sym = Target::truncated_normal(0.0, 1.0, -2.0, 2.0);
  EXPECT_NEAR(sym.expected_mean(), 0.0, 1e-15);
  EXPECT_NEAR(sym.expected_std(), 0.8796256610342398, 1e-12);
  const Target one_sided = Target::truncated_normal(1.0, 0.5, 0.0, 3.0);
  // truncnorm(-2, 4).mean() and .std(), scaled by 0.5 and shifted by 1.
  EXPECT_NEAR(
      one_sided.expected_mean(), 1.0 + 0.5 * 0.05511270304138151, 1e-12);
  EXPECT_NEAR(one_sided.expected_std(), 0.5 * 0.9412308339038533, 1e-12);
}

TEST(Target, TruncatedNormalWithInfiniteBoundIsAHalfNormal) {
  const double inf = std::numeric_limits<double>::infinity();
  const Target half = Target::truncated_normal(0.0, 1.0, 0.0, inf);
  EXPECT_NEAR(half.expected_mean(), std::sqrt(2.0 / M_PI), 1e-12);
  EXPECT_NEAR(half.expected_std(), std::sqrt(1.0 - 2.0 / M_PI), 1e-12);
}

TEST(Target, UnknownHasNoMoments) {
  EXPECT_TRUE(std::isnan(Target::unknown().expected_std()));
}

}  // namespace
}  // namespace initforge
