// SPDX-License-Identifier: Apache-2.0
// The declared argument schemas of the built-in schemes, checked through the
// registry: defaults, unknown names, ranges, choices, case-insensitive modes.

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/plugins/plugin_test_util.h"

namespace initforge::testing {
namespace {

using ::testing::HasSubstr;

Args defaults_of(const std::string& scheme) {
  return bind_args(builtin_registry().find(scheme).info.args, {});
}

// The ArgumentError creating `scheme(args)` throws; checks its key.
std::string arg_error(
    const std::string& scheme, const ArgList& args, const std::string& key) {
  try {
    make(scheme, args);
  } catch (const ArgumentError& e) {
    EXPECT_EQ(e.key(), key) << e.what();
    return e.what();
  }
  ADD_FAILURE() << scheme << " accepted the arguments";
  return "";
}

TEST(SchemeSchema, DefaultsArePyTorchs) {
  EXPECT_EQ(defaults_of("uniform").number("a"), 0.0);
  EXPECT_EQ(defaults_of("uniform").number("b"), 1.0);
  EXPECT_EQ(defaults_of("normal").number("mean"), 0.0);
  EXPECT_EQ(defaults_of("normal").number("std"), 1.0);
  const Args trunc = defaults_of("trunc_normal");
  EXPECT_EQ(trunc.number("std"), 1.0);
  EXPECT_EQ(trunc.number("a"), -2.0);
  EXPECT_EQ(trunc.number("b"), 2.0);
  for (const std::string scheme : {"kaiming_uniform", "kaiming_normal"}) {
    const Args k = defaults_of(scheme);
    EXPECT_EQ(k.number("a"), 0.0);
    EXPECT_EQ(k.string("mode"), "fan_in");
    EXPECT_EQ(k.string("nonlinearity"), "leaky_relu");
  }
  EXPECT_EQ(defaults_of("xavier_normal").number("gain"), 1.0);
  EXPECT_EQ(defaults_of("orthogonal").number("gain"), 1.0);
  EXPECT_EQ(defaults_of("dirac").integer("groups"), 1);
  const Args vs = defaults_of("variance_scaling");
  EXPECT_EQ(vs.number("scale"), 1.0);
  EXPECT_EQ(vs.string("mode"), "fan_in");
  EXPECT_EQ(vs.string("distribution"), "truncated_normal");
  EXPECT_TRUE(builtin_registry().find("lecun_normal").info.args.empty());
}

TEST(SchemeSchema, KaimingDefaultGainIsSqrtTwoNotTheLeakySlopeOne) {
  // PyTorch passes a = 0 to calculate_gain, so the default is relu's gain.
  const Target t = make("kaiming_normal")->target(param_of(Shape{10, 50}));
  EXPECT_DOUBLE_EQ(t.std, std::sqrt(2.0) / std::sqrt(50.0));
}

TEST(SchemeSchema, RequiredArgumentsMustBeGiven) {
  EXPECT_THAT(
      arg_error("constant", {}, "val"),
      HasSubstr("missing required argument \"val\""));
  EXPECT_THAT(
      arg_error("sparse", {{"std", 0.1}}, "sparsity"),
      HasSubstr("missing required argument \"sparsity\""));
}

TEST(SchemeSchema, UnknownArgumentIsRefusedWithASuggestion) {
  const std::string message = arg_error(
      "kaiming_uniform", {{"nonlinerity", std::string("relu")}}, "nonlinerity");
  EXPECT_THAT(message, HasSubstr("unknown argument \"nonlinerity\""));
  EXPECT_THAT(message, HasSubstr("did you mean \"nonlinearity\"?"));
  EXPECT_THAT(
      arg_error("ones", {{"val", 2.0}}, "val"),
      HasSubstr("this scheme takes no arguments"));
}

TEST(SchemeSchema, OutOfRangeValuesAreRefusedWithTheRange) {
  EXPECT_THAT(
      arg_error("normal", {{"std", -1.0}}, "std"),
      HasSubstr("expected a number >= 0; got -1"));
  EXPECT_THAT(
      arg_error("sparse", {{"sparsity", 2.0}}, "sparsity"),
      HasSubstr("expected a number <= 1; got 2"));
  EXPECT_THAT(
      arg_error("sparse", {{"sparsity", -0.1}}, "sparsity"), HasSubstr(">= 0"));
  EXPECT_THAT(
      arg_error("dirac", {{"groups", std::int64_t{0}}}, "groups"),
      HasSubstr("expected an integer >= 1; got 0"));
  EXPECT_THAT(
      arg_error("dirac", {{"groups", 1.5}}, "groups"),
      HasSubstr("expected an integer"));
  EXPECT_THAT(
      arg_error("variance_scaling", {{"scale", 0.0}}, "scale"),
      HasSubstr("expected a number > 0; got 0"));
  EXPECT_THAT(
      arg_error("trunc_normal", {{"std", 0.0}}, "std"), HasSubstr("> 0"));
  EXPECT_THAT(
      arg_error("xavier_uniform", {{"gain", -1.0}}, "gain"), HasSubstr(">= 0"));
}

TEST(SchemeSchema, WrongChoicesListTheAllowedValues) {
  EXPECT_THAT(
      arg_error("kaiming_normal", {{"mode", std::string("fan_avg")}}, "mode"),
      HasSubstr("expected one of fan_in, fan_out; got \"fan_avg\""));
  const std::string nl = arg_error(
      "kaiming_uniform",
      {{"nonlinearity", std::string("swish")}},
      "nonlinearity");
  EXPECT_THAT(
      nl,
      HasSubstr("expected one of linear, conv1d, conv2d, conv3d, "
                "conv_transpose1d, conv_transpose2d, "
                "conv_transpose3d, sigmoid, tanh, relu, "
                "leaky_relu, selu; got \"swish\""));
  EXPECT_THAT(
      arg_error(
          "variance_scaling",
          {{"distribution", std::string("normal")}},
          "distribution"),
      HasSubstr("one of truncated_normal, untruncated_normal, uniform"));
  EXPECT_THAT(
      arg_error("variance_scaling", {{"mode", std::string("avg")}}, "mode"),
      HasSubstr("one of fan_in, fan_out, fan_avg"));
  EXPECT_THAT(
      arg_error("kaiming_normal", {{"mode", std::int64_t{1}}}, "mode"),
      HasSubstr("expected a string"));
}

TEST(SchemeSchema, ModesIgnoreCaseAsPyTorchLowersThem) {
  const Shape shape{10, 40};  // fan_in 40, fan_out 10
  const Target t = make("kaiming_normal", {{"mode", std::string("FAN_OUT")}})
                       ->target(param_of(shape));
  EXPECT_DOUBLE_EQ(t.std, std::sqrt(2.0) / std::sqrt(10.0));
  const Target v = make(
                       "variance_scaling",
                       {{"mode", std::string("Fan_Avg")},
                        {"distribution", std::string("UNIFORM")}})
                       ->target(param_of(shape));
  EXPECT_DOUBLE_EQ(v.high, std::sqrt(3.0 / 25.0));
}

TEST(SchemeSchema, IntegerLiteralsAreAcceptedForNumbers) {
  const Target t =
      make("uniform", {{"a", std::int64_t{-2}}, {"b", std::int64_t{3}}})
          ->target(param_of(Shape{2}));
  EXPECT_EQ(t.low, -2.0);
  EXPECT_EQ(t.high, 3.0);
}

}  // namespace
}  // namespace initforge::testing
