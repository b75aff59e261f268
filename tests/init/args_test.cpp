// SPDX-License-Identifier: Apache-2.0
#include "framework/init/args.h"

#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

using Given = std::vector<std::pair<std::string, ArgValue>>;

std::vector<ArgSpec> kaiming_specs() {
  return {
      ArgSpec::number("a", 0.0, "negative slope").at_least(0.0),
      ArgSpec::choice("mode", "fan_in", {"fan_in", "fan_out"}, "fan")
          .ignore_case(),
      ArgSpec::choice(
          "nonlinearity", "leaky_relu", {"leaky_relu", "relu"}, "gain"),
  };
}

// Binds and returns the ArgumentError, checking it names `key`.
std::string bind_error(
    const std::vector<ArgSpec>& specs,
    const Given& given,
    const std::string& key) {
  try {
    bind_args(specs, given);
  } catch (const ArgumentError& e) {
    EXPECT_EQ(e.key(), key);
    return e.what();
  }
  ADD_FAILURE() << "expected ArgumentError for " << key;
  return "";
}

TEST(ArgSpec, BuildersSetTypeDefaultAndBounds) {
  const ArgSpec std_arg =
      ArgSpec::number("std", 1.0, "standard deviation").greater_than(0.0);
  EXPECT_EQ(std_arg.type, ArgType::Number);
  EXPECT_EQ(std_arg.default_value, ArgValue(1.0));
  EXPECT_EQ(std_arg.min, 0.0);
  EXPECT_TRUE(std_arg.min_exclusive);
  EXPECT_FALSE(std_arg.max);

  const ArgSpec p = ArgSpec::number("p", 0.1, "").at_least(0.0).at_most(1.0);
  EXPECT_FALSE(p.min_exclusive);
  EXPECT_EQ(p.max, 1.0);

  EXPECT_FALSE(ArgSpec::required_number("val", "").default_value);
  EXPECT_EQ(ArgSpec::integer("groups", 1, "").type, ArgType::Integer);
  EXPECT_EQ(ArgSpec::boolean("flag", true, "").default_value, ArgValue(true));
  const ArgSpec mode =
      ArgSpec::choice("mode", "fan_in", {"fan_in", "fan_out"}, "")
          .ignore_case();
  EXPECT_EQ(mode.type, ArgType::String);
  EXPECT_TRUE(mode.case_insensitive);
  EXPECT_EQ(mode.choices.size(), 2u);
}

TEST(BindArgs, AppliesDefaultsForArgumentsNotGiven) {
  const Args args = bind_args(kaiming_specs(), {});
  EXPECT_EQ(args.number("a"), 0.0);
  EXPECT_EQ(args.string("mode"), "fan_in");
  EXPECT_EQ(args.string("nonlinearity"), "leaky_relu");
  EXPECT_EQ(args.values().size(), 3u);
}

TEST(BindArgs, NumberAcceptsIntegerAndConvertsIt) {
  const Args args = bind_args(kaiming_specs(), {{"a", std::int64_t{3}}});
  EXPECT_TRUE(std::holds_alternative<double>(args.values().at("a")));
  EXPECT_EQ(args.number("a"), 3.0);
}

TEST(BindArgs, NumberRejectsBoolAndString) {
  EXPECT_EQ(
      bind_error(kaiming_specs(), {{"a", true}}, "a"),
      "expected a number; got true");
  EXPECT_EQ(
      bind_error(kaiming_specs(), {{"a", std::string("0.2")}}, "a"),
      "expected a number; got \"0.2\"");
}

TEST(BindArgs, NumberRejectsNonFiniteValues) {
  EXPECT_EQ(
      bind_error(
          kaiming_specs(),
          {{"a", std::numeric_limits<double>::infinity()}},
          "a"),
      "expected a finite number; got inf");
  EXPECT_EQ(
      bind_error(
          kaiming_specs(),
          {{"a", std::numeric_limits<double>::quiet_NaN()}},
          "a"),
      "expected a finite number; got nan");
}

TEST(BindArgs, InclusiveAndExclusiveBoundsAreEnforced) {
  EXPECT_EQ(
      bind_error(kaiming_specs(), {{"a", std::int64_t{-1}}}, "a"),
      "expected a number >= 0; got -1");
  EXPECT_EQ(bind_args(kaiming_specs(), {{"a", 0.0}}).number("a"), 0.0);

  const std::vector<ArgSpec> specs = {
      ArgSpec::number("std", 1.0, "").greater_than(0.0),
      ArgSpec::number("p", 0.1, "").at_least(0.0).at_most(1.0)};
  EXPECT_EQ(
      bind_error(specs, {{"std", 0.0}}, "std"), "expected a number > 0; got 0");
  EXPECT_EQ(
      bind_error(specs, {{"p", 1.5}}, "p"), "expected a number <= 1; got 1.5");
  EXPECT_EQ(bind_args(specs, {{"p", 1.0}}).number("p"), 1.0);
}

TEST(BindArgs, IntegerAcceptsIntegralDoublesOnly) {
  const std::vector<ArgSpec> specs = {
      ArgSpec::integer("groups", 1, "").at_least(1)};
  EXPECT_EQ(bind_args(specs, {{"groups", 2.0}}).integer("groups"), 2);
  EXPECT_EQ(
      bind_error(specs, {{"groups", 2.5}}, "groups"),
      "expected an integer; got 2.5");
  EXPECT_EQ(
      bind_error(specs, {{"groups", 1e300}}, "groups"),
      "expected an integer; got 1e+300");
  EXPECT_EQ(
      bind_error(specs, {{"groups", std::int64_t{0}}}, "groups"),
      "expected an integer >= 1; got 0");
  EXPECT_EQ(
      bind_error(specs, {{"groups", false}}, "groups"),
      "expected an integer; got false");
}

TEST(BindArgs, IntegerListTakesAnIntegerOrAListOfAnyLength) {
  const std::vector<ArgSpec> specs = {
      ArgSpec::required_int_list("shape", "").at_least(1)};
  const auto list = [&](const ArgValue& v) {
    return bind_args(specs, {{"shape", v}}).int_list("shape");
  };
  EXPECT_EQ(list(std::int64_t{8}), IntList{8});  // PyTorch's int form
  EXPECT_EQ(list(4.0), IntList{4});
  EXPECT_EQ(list(IntPair{4, 5}), (IntList{4, 5}));  // a JSON [4, 5]
  EXPECT_EQ(list(IntList{3, 4, 5}), (IntList{3, 4, 5}));
  EXPECT_EQ(
      bind_error(specs, {{"shape", IntList{}}}, "shape"),
      "expected an integer or a non-empty list of integers; got []");
  EXPECT_EQ(
      bind_error(specs, {{"shape", IntList{3, 0, 5}}}, "shape"),
      "expected integers >= 1; got [3, 0, 5]");
  EXPECT_EQ(
      bind_error(specs, {{"shape", 2.5}}, "shape"),
      "expected an integer or a non-empty list of integers; got 2.5");
  // A pair spec refuses a list of another length.
  const std::vector<ArgSpec> pair = {ArgSpec::int_pair("k", {1, 1}, "")};
  EXPECT_EQ(
      bind_error(pair, {{"k", IntList{3}}}, "k"),
      "expected an integer or [height, width]; got [3]");
  EXPECT_THROW(
      bind_args(specs, {{"shape", std::int64_t{2}}}).int_pair("shape"),
      ArgumentError);
}

TEST(BindArgs, BooleanRejectsNumbers) {
  const std::vector<ArgSpec> specs = {ArgSpec::boolean("flag", false, "")};
  EXPECT_TRUE(bind_args(specs, {{"flag", true}}).boolean("flag"));
  EXPECT_EQ(
      bind_error(specs, {{"flag", std::int64_t{1}}}, "flag"),
      "expected true or false; got 1");
}

TEST(BindArgs, ChoiceOutsideTheListListsTheChoices) {
  EXPECT_EQ(
      bind_error(kaiming_specs(), {{"mode", std::string("fan_avg")}}, "mode"),
      "expected one of fan_in, fan_out; got \"fan_avg\"");
  EXPECT_EQ(
      bind_error(kaiming_specs(), {{"mode", 1.0}}, "mode"),
      "expected a string; got 1");
}

TEST(BindArgs, CaseInsensitiveChoiceStoresCanonicalLowerCase) {
  const Args args =
      bind_args(kaiming_specs(), {{"mode", std::string("Fan_OUT")}});
  EXPECT_EQ(args.string("mode"), "fan_out");
}

TEST(BindArgs, DefaultsAreCanonicalLikeGivenValues) {
  // A default spelled "FAN_OUT" must reach the factory as a given "FAN_OUT"
  // does; and an integer default of a Number argument as a double.
  std::vector<ArgSpec> specs = {
      ArgSpec::choice("mode", "FAN_OUT", {"fan_in", "fan_out"}, "fan")
          .ignore_case(),
      ArgSpec::number("gain", 0.0, "scale")};
  specs[1].default_value = ArgValue(std::int64_t{2});
  const Args defaults = bind_args(specs, {});
  const Args given = bind_args(
      specs, {{"mode", std::string("FAN_OUT")}, {"gain", std::int64_t{2}}});
  EXPECT_EQ(defaults.string("mode"), "fan_out");
  EXPECT_EQ(defaults.values(), given.values());
  EXPECT_EQ(defaults.number("gain"), 2.0);
}

TEST(BindArgs, CaseSensitiveChoiceRefusesOtherCase) {
  EXPECT_EQ(
      bind_error(
          kaiming_specs(),
          {{"nonlinearity", std::string("ReLU")}},
          "nonlinearity"),
      "expected one of leaky_relu, relu; got \"ReLU\"");
}

TEST(BindArgs, UnknownNameSuggestsClosestAndListsKnown) {
  EXPECT_EQ(
      bind_error(kaiming_specs(), {{"mod", std::string("fan_in")}}, "mod"),
      "unknown argument \"mod\"; did you mean \"mode\"? known: a, mode, "
      "nonlinearity");
  EXPECT_EQ(
      bind_error(kaiming_specs(), {{"zzzzzzzz", 1.0}}, "zzzzzzzz"),
      "unknown argument \"zzzzzzzz\"; known: a, mode, nonlinearity");
  EXPECT_EQ(
      bind_error({}, {{"gain", 1.0}}, "gain"),
      "unknown argument \"gain\"; this scheme takes no arguments");
}

TEST(BindArgs, MissingRequiredArgumentIsNamed) {
  const std::vector<ArgSpec> specs = {ArgSpec::required_number("val", "")};
  EXPECT_EQ(bind_error(specs, {}, "val"), "missing required argument \"val\"");
  EXPECT_EQ(bind_args(specs, {{"val", 0.3}}).number("val"), 0.3);
}

TEST(BindArgs, SameArgumentTwiceIsRefused) {
  EXPECT_EQ(
      bind_error(kaiming_specs(), {{"a", 1.0}, {"a", 2.0}}, "a"),
      "argument \"a\" is given twice");
}

TEST(Args, GettersRefuseUndeclaredNamesAndWrongTypes) {
  const Args args = bind_args(kaiming_specs(), {});
  EXPECT_TRUE(args.has("a"));
  EXPECT_FALSE(args.has("gain"));
  try {
    args.number("gain");
    FAIL() << "expected ArgumentError";
  } catch (const ArgumentError& e) {
    EXPECT_EQ(e.key(), "gain");
    EXPECT_STREQ(e.what(), "argument \"gain\" is not declared by this scheme");
  }
  try {
    args.integer("mode");
    FAIL() << "expected ArgumentError";
  } catch (const ArgumentError& e) {
    EXPECT_EQ(e.key(), "mode");
    EXPECT_STREQ(e.what(), "argument \"mode\" is \"fan_in\", not an integer");
  }
  EXPECT_THROW(args.boolean("a"), ArgumentError);
  EXPECT_THROW(args.string("a"), ArgumentError);
}

TEST(ArgValueText, IsJsonLike) {
  EXPECT_EQ(to_string(ArgValue(0.5)), "0.5");
  EXPECT_EQ(to_string(ArgValue(2.0)), "2");
  EXPECT_EQ(to_string(ArgValue(std::int64_t{-3})), "-3");
  EXPECT_EQ(to_string(ArgValue(true)), "true");
  EXPECT_EQ(to_string(ArgValue(std::string("fan_in"))), "\"fan_in\"");
  EXPECT_EQ(
      to_string(ArgValue(std::string("a\"b\\\n"))), "\"a\\\"b\\\\\\u000a\"");
  EXPECT_EQ(to_string(ArgType::Number), "number");
  EXPECT_EQ(to_string(ArgType::Integer), "integer");
  EXPECT_EQ(to_string(ArgType::Boolean), "boolean");
  EXPECT_EQ(to_string(ArgType::String), "string");
  EXPECT_EQ(to_string(ArgValue(IntList{4, 5, 6})), "[4, 5, 6]");
  EXPECT_EQ(to_string(ArgType::IntegerList), "int_list");
}

}  // namespace
}  // namespace initforge
