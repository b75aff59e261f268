// SPDX-License-Identifier: Apache-2.0
#include "framework/core/shape.h"

#include <cstdint>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

TEST(Shape, ScalarHasRankZeroAndOneElement) {
  const Shape s;
  EXPECT_EQ(s.rank(), 0u);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.to_string(), "[]");
}

TEST(Shape, NumelIsProductOfDims) {
  const Shape s{16, 8, 3, 3};
  EXPECT_EQ(s.rank(), 4u);
  EXPECT_EQ(s.numel(), 16 * 8 * 3 * 3);
  EXPECT_EQ(s[2], 3);
  EXPECT_EQ(s.to_string(), "[16, 8, 3, 3]");
}

TEST(Shape, ZeroDimensionGivesZeroElements) {
  EXPECT_EQ((Shape{0, 3}).numel(), 0);
  EXPECT_EQ((Shape{4, 0, 2}).numel(), 0);
}

TEST(Shape, EqualityComparesRankAndDims) {
  EXPECT_EQ((Shape{2, 3}), (Shape{2, 3}));
  EXPECT_NE((Shape{2, 3}), (Shape{3, 2}));
  EXPECT_NE((Shape{2, 3}), (Shape{2, 3, 1}));
}

TEST(Shape, ConstructsFromSpan) {
  const std::vector<std::int64_t> dims = {5, 7};
  EXPECT_EQ(Shape(dims), (Shape{5, 7}));
}

TEST(Shape, NegativeDimensionIsRejectedWithItsIndex) {
  try {
    Shape{3, -1};
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "dimension 1 is -1; expected a size >= 0");
  }
}

TEST(Shape, TooManyDimensionsAreRejected) {
  const std::vector<std::int64_t> dims(Shape::kMaxRank + 1, 1);
  EXPECT_THROW(Shape{dims}, ShapeError);
}

TEST(Shape, OverflowingElementCountIsRejected) {
  const std::int64_t big = std::numeric_limits<std::int64_t>::max() / 2;
  try {
    Shape{big, 3};
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(
        std::string(e.what()).find("more than 2^63 elements"),
        std::string::npos);
  }
  // A zero dimension does not excuse the others from overflowing.
  EXPECT_THROW((Shape{0, big, 3}), ShapeError);
}

}  // namespace
}  // namespace initforge
