// SPDX-License-Identifier: Apache-2.0
#include "framework/init/fans.h"

#include <string>

#include <gtest/gtest.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

TEST(ComputeFans, MatrixUsesColumnsAndRows) {
  EXPECT_EQ(compute_fans(Shape{70, 300}), (Fans{300, 70}));
}

TEST(ComputeFans, ConvWeightMultipliesReceptiveField) {
  EXPECT_EQ(compute_fans(Shape{32, 16, 3, 3}), (Fans{16 * 9, 32 * 9}));
  EXPECT_EQ(compute_fans(Shape{4, 2, 3, 5, 7}), (Fans{2 * 105, 4 * 105}));
}

TEST(ComputeFans, ZeroSizesAreAllowed) {
  EXPECT_EQ(compute_fans(Shape{0, 3}), (Fans{3, 0}));
  EXPECT_EQ(compute_fans(Shape{2, 3, 0}), (Fans{0, 0}));
}

TEST(ComputeFans, FewerThanTwoDimensionsIsPyTorchsError) {
  for (const Shape& shape : {Shape{}, Shape{5}}) {
    try {
      compute_fans(shape);
      FAIL() << "expected InvalidArgument for " << shape.to_string();
    } catch (const InvalidArgument& e) {
      EXPECT_NE(
          std::string(e.what()).find(
              "Fan in and fan out can not be computed for tensor with fewer "
              "than 2 dimensions"),
          std::string::npos);
      EXPECT_NE(
          std::string(e.what()).find(shape.to_string()), std::string::npos);
    }
  }
}

TEST(ParseFanMode, IsCaseInsensitive) {
  EXPECT_EQ(parse_fan_mode("fan_in"), FanMode::FanIn);
  EXPECT_EQ(parse_fan_mode("FAN_OUT"), FanMode::FanOut);
  EXPECT_EQ(parse_fan_mode("Fan_Out"), FanMode::FanOut);
}

TEST(ParseFanMode, UnknownModeIsReportedLowerCased) {
  try {
    parse_fan_mode("FAN_AVG");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(
        e.what(),
        "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
  }
}

TEST(SelectFan, PicksTheModesFan) {
  const Fans fans{10, 20};
  EXPECT_EQ(select_fan(fans, FanMode::FanIn), 10);
  EXPECT_EQ(select_fan(fans, FanMode::FanOut), 20);
}

}  // namespace
}  // namespace initforge
