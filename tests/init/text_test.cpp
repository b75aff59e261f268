// SPDX-License-Identifier: Apache-2.0
#include "framework/init/text.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace initforge {
namespace {

TEST(ClosestMatch, FindsATypo) {
  const std::vector<std::string> names = {
      "kaiming_normal", "kaiming_uniform", "xavier_normal"};
  EXPECT_EQ(closest_match("kaiming_unifrom", names), "kaiming_uniform");
  EXPECT_EQ(closest_match("Xavier_Normal", names), "xavier_normal");
}

TEST(ClosestMatch, ReturnsNothingForAFarWord) {
  const std::vector<std::string> names = {"uniform", "normal"};
  EXPECT_EQ(closest_match("orthogonal", names), "");
}

TEST(FormatDouble, IsShortestRoundTrip) {
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(2.0), "2");
  EXPECT_EQ(format_double(-1e-7), "-1e-07");
}

TEST(ToLower, LowersAsciiOnly) {
  EXPECT_EQ(to_lower("FAN_In"), "fan_in");
}

}  // namespace
}  // namespace initforge
