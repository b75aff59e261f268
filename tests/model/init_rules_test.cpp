// SPDX-License-Identifier: Apache-2.0
// The init-rule glob (configs/README.md): '*' any run of characters, dots
// included; '?' one character; everything else literal, case-sensitive.
#include <gtest/gtest.h>

#include "framework/model/init_rules.h"

namespace initforge {
namespace {

TEST(GlobMatch, StarCrossesDotsAndQuestionMarkIsOneCharacter) {
  EXPECT_TRUE(glob_match("*.bias", "fc1.bias"));
  EXPECT_TRUE(glob_match("*", "block.conv1.weight"));
  EXPECT_TRUE(glob_match("block*weight", "block.conv1.weight"));
  EXPECT_TRUE(glob_match("fc?.weight", "fc1.weight"));
  EXPECT_FALSE(glob_match("fc?.weight", "fc12.weight"));
  EXPECT_FALSE(glob_match("*.bias", "fc1.weight"));
  EXPECT_FALSE(glob_match("Linear.weight", "linear.weight"));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
  EXPECT_TRUE(glob_match("a/*", "a/b/c"));  // no path semantics
  EXPECT_TRUE(glob_match("*", ".hidden"));  // nor leading-dot ones
}

TEST(GlobMatch, BracketsAndBackslashesAreLiteral) {
  EXPECT_TRUE(glob_match("fc[1].weight", "fc[1].weight"));
  EXPECT_FALSE(glob_match("fc[12].weight", "fc1.weight"));
  EXPECT_TRUE(glob_match("a\\*", "a\\xyz"));
  EXPECT_FALSE(glob_match("a\\*", "a*"));
  EXPECT_TRUE(glob_match("[", "["));
  EXPECT_TRUE(glob_match("*]", "x]"));
}

}  // namespace
}  // namespace initforge
