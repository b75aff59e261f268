// SPDX-License-Identifier: Apache-2.0
// Every error condition of torch.nn.init (torch_init_spec.md §1-2) with its
// message, and the documented no-ops on zero-element tensors.

#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/plugins/plugin_test_util.h"

namespace initforge::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kFanMessage =
    "Fan in and fan out can not be computed for tensor with fewer than 2 "
    "dimensions";

// The InvalidArgument that check() throws for `shape` (fill() must agree).
std::string shape_error(
    const std::string& scheme, const ArgList& args, const Shape& shape) {
  const auto init = make(scheme, args);
  const ParamInfo param = param_of(shape);
  const std::string from_check =
      message_of<InvalidArgument>([&] { init->check(param); });
  std::vector<float> data(static_cast<std::size_t>(shape.numel()));
  auto gen =
      RandomSource::create(RngKind::Philox, 1)->generator_for("layer.weight");
  const FillContext ctx{param, *gen};
  EXPECT_EQ(
      message_of<InvalidArgument>(
          [&] { init->fill(TensorView(data, shape), ctx); }),
      from_check);
  return from_check;
}

// Creates the scheme from Args that skip the schema (as a host that did not
// call bind_args would): the plugin's own validation must still refuse them.
std::string direct_create_error(
    const std::string& scheme, std::map<std::string, ArgValue> values) {
  const SchemeInfo& info = builtin_registry().find(scheme).info;
  return message_of<InvalidArgument>(
      [&] { info.create(Args(std::move(values))); });
}

const std::vector<std::string> kFanSchemes = {
    "kaiming_uniform",
    "kaiming_normal",
    "xavier_uniform",
    "xavier_normal",
    "lecun_uniform",
    "lecun_normal",
    "variance_scaling",
    "fan_in_uniform"};

TEST(SchemeErrors, FanSchemesNeedTwoDimensions) {
  for (const std::string& scheme : kFanSchemes) {
    for (const Shape& shape : {Shape{5}, Shape{}}) {
      SCOPED_TRACE(scheme + " " + shape.to_string());
      const std::string message = shape_error(scheme, {}, shape);
      EXPECT_THAT(message, HasSubstr(kFanMessage));
      EXPECT_THAT(message, HasSubstr("got shape " + shape.to_string()));
    }
  }
}

TEST(SchemeErrors, EyeIsTwoDimensionalOnly) {
  for (const Shape& shape : {Shape{4}, Shape{2, 3, 4}, Shape{}}) {
    EXPECT_THAT(
        shape_error("eye", {}, shape),
        HasSubstr(
            "eye: Only tensors with 2 dimensions are supported; "
            "got shape " +
            shape.to_string()));
  }
}

TEST(SchemeErrors, DiracIsThreeToFiveDimensionalOnly) {
  for (const Shape& shape : {Shape{4}, Shape{3, 3}, Shape{1, 1, 1, 1, 1, 1}}) {
    EXPECT_THAT(
        shape_error("dirac", {}, shape),
        HasSubstr(
            "dirac: Only tensors with 3, 4, or 5 dimensions are "
            "supported; got shape " +
            shape.to_string()));
  }
}

TEST(SchemeErrors, DiracGroupsMustDivideDimZero) {
  EXPECT_THAT(
      shape_error("dirac", {{"groups", std::int64_t{2}}}, Shape{5, 3, 3}),
      HasSubstr("dirac: dim 0 must be divisible by groups; got dim 0 = 5, "
                "groups = 2, shape [5, 3, 3]"));
}

TEST(SchemeErrors, SparseIsTwoDimensionalOnly) {
  for (const Shape& shape : {Shape{4}, Shape{2, 3, 4}}) {
    EXPECT_THAT(
        shape_error("sparse", {{"sparsity", 0.1}}, shape),
        HasSubstr(
            "sparse: Only tensors with 2 dimensions are "
            "supported; got shape " +
            shape.to_string()));
  }
}

TEST(SchemeErrors, OrthogonalNeedsTwoOrMoreDimensions) {
  EXPECT_THAT(
      shape_error("orthogonal", {}, Shape{6}),
      HasSubstr("orthogonal: Only tensors with 2 or more dimensions "
                "are supported; got shape [6]"));
}

TEST(SchemeErrors, NegativeStdIsRefused) {
  for (const std::string scheme : {"normal", "sparse"}) {
    ArgList args = {{"std", -0.5}};
    if (scheme == "sparse") args.emplace_back("sparsity", 0.1);
    EXPECT_THAT(
        message_of<ArgumentError>([&] { make(scheme, args); }),
        HasSubstr("expected a number >= 0; got -0.5"));
  }
  EXPECT_THAT(
      message_of<ArgumentError>([&] {
        make("trunc_normal", {{"std", -1.0}});
      }),
      HasSubstr("expected a number > 0; got -1"));
}

TEST(SchemeErrors, LowerBoundAboveUpperBoundNamesBoth) {
  EXPECT_THAT(
      message_of<ArgumentError>([&] {
        make("uniform", {{"a", 2.0}, {"b", 1.0}});
      }),
      HasSubstr("uniform: expected a <= b; got a=2 > b=1"));
  EXPECT_THAT(
      message_of<ArgumentError>([&] {
        make("trunc_normal", {{"a", 1.0}, {"b", -1.0}});
      }),
      HasSubstr("trunc_normal: expected a <= b; got a=1 > b=-1"));
}

TEST(SchemeErrors, UniformBoundsMustFitFloat) {
  EXPECT_THAT(
      message_of<ArgumentError>([&] {
        make("uniform", {{"a", -1e39}});
      }),
      HasSubstr("uniform: a is out of bounds for float32; got a=-1e+39"));
  EXPECT_THAT(
      message_of<ArgumentError>([&] {
        make("uniform", {{"a", -3e38}, {"b", 3e38}});
      }),
      HasSubstr("expected b - a <= float32 max"));
  EXPECT_THAT(
      message_of<ArgumentError>([&] {
        make("constant", {{"val", 1e300}});
      }),
      HasSubstr("representable as float32; got val=1e+300"));
}

TEST(SchemeErrors, UnknownNonlinearityAndModeAreRefusedByThePluginToo) {
  const std::map<std::string, ArgValue> ok = {
      {"a", 0.0},
      {"mode", std::string("fan_in")},
      {"nonlinearity", std::string("relu")}};
  auto bad_nl = ok;
  bad_nl["nonlinearity"] = std::string("swish");
  EXPECT_THAT(
      direct_create_error("kaiming_uniform", bad_nl),
      HasSubstr("Unsupported nonlinearity swish"));
  auto bad_mode = ok;
  bad_mode["mode"] = std::string("fan_avg");
  EXPECT_THAT(
      direct_create_error("kaiming_normal", bad_mode),
      HasSubstr("Mode fan_avg not supported, please use one of "
                "['fan_in', 'fan_out']"));
}

TEST(SchemeErrors, NonFiniteNegativeSlopeIsRefused) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THAT(
      message_of<ArgumentError>([&] {
        make("kaiming_uniform", {{"a", inf}});
      }),
      HasSubstr("expected a finite number"));
  const std::map<std::string, ArgValue> nan_slope = {
      {"a", std::numeric_limits<double>::quiet_NaN()},
      {"mode", std::string("fan_in")},
      {"nonlinearity", std::string("leaky_relu")}};
  EXPECT_THAT(
      direct_create_error("kaiming_normal", nan_slope),
      HasSubstr("not a valid number"));
}

TEST(SchemeErrors, KaimingOnZeroElementTensorIsANoOp) {
  // PyTorch warns "Initializing zero-element tensors is a no-op" and returns
  // before computing fans: so even a 1-D [0] passes.
  for (const std::string scheme : {"kaiming_uniform", "kaiming_normal"}) {
    for (const Shape& shape : {Shape{0, 1}, Shape{3, 0, 2}, Shape{0}}) {
      SCOPED_TRACE(scheme + " " + shape.to_string());
      EXPECT_NO_THROW(make(scheme)->check(param_of(shape)));
      EXPECT_TRUE(fill(scheme, {}, {shape}).empty());
    }
  }
  // A 0-d tensor has no zero dimension: still the fan error.
  EXPECT_THAT(
      shape_error("kaiming_normal", {}, Shape{}), HasSubstr(kFanMessage));
}

TEST(SchemeErrors, XavierOnZeroByThreeIsANoOpAndOnZeroByZeroAnError) {
  EXPECT_TRUE(fill("xavier_uniform", {}, {Shape{0, 3}}).empty());
  EXPECT_TRUE(fill("xavier_normal", {}, {Shape{3, 0}}).empty());
  for (const std::string scheme : {"xavier_uniform", "xavier_normal"}) {
    EXPECT_THAT(
        shape_error(scheme, {}, Shape{0, 0}),
        HasSubstr(
            scheme + ": fan_in + fan_out is 0, std undefined; "
                     "got shape [0, 0]"));
  }
}

TEST(SchemeErrors, KaimingBiasWithZeroOwnerFanIsRefused) {
  const ParamInfo bias{"fc.bias", Shape{4}, Fans{0, 4}};
  EXPECT_THAT(
      message_of<InvalidArgument>(
          [&] { make("kaiming_uniform")->check(bias); }),
      HasSubstr("kaiming_uniform: the selected fan is 0"));
}

}  // namespace
}  // namespace initforge::testing
