// SPDX-License-Identifier: Apache-2.0
#include "framework/io/arg_text.h"

#include <gtest/gtest.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

TEST(ParseArgValue, JsonScalarsKeepTheirType) {
  EXPECT_EQ(parse_arg_value("0.2"), ArgValue(0.2));
  EXPECT_EQ(parse_arg_value("1e3"), ArgValue(1000.0));
  EXPECT_EQ(parse_arg_value("3"), ArgValue(std::int64_t{3}));
  EXPECT_EQ(parse_arg_value("-1"), ArgValue(std::int64_t{-1}));
  EXPECT_EQ(parse_arg_value("true"), ArgValue(true));
  EXPECT_EQ(parse_arg_value("false"), ArgValue(false));
  EXPECT_EQ(parse_arg_value("\"fan_out\""), ArgValue(std::string("fan_out")));
  EXPECT_EQ(parse_arg_value("\"3\""), ArgValue(std::string("3")));
}

TEST(ParseArgValue, BareWordIsAString) {
  EXPECT_EQ(parse_arg_value("fan_out"), ArgValue(std::string("fan_out")));
  EXPECT_EQ(parse_arg_value("leaky_relu"), ArgValue(std::string("leaky_relu")));
  EXPECT_EQ(parse_arg_value(""), ArgValue(std::string("")));
  EXPECT_EQ(parse_arg_value("nan"), ArgValue(std::string("nan")));
}

TEST(ParseArgValue, RefusesNullContainersAndHugeIntegers) {
  for (const char* text :
       {"null", "[1, 2]", "{\"a\": 1}", "18446744073709551615"}) {
    try {
      parse_arg_value(text);
      ADD_FAILURE() << "expected UsageError for " << text;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace initforge
