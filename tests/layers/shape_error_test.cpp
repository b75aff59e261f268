// SPDX-License-Identifier: Apache-2.0
// make_layer() validation and the misuse errors of prepare()/set_params().

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/layers/layer_test_util.h"

namespace initforge::layer_test {
namespace {

// Options convert to a LayerSpec inside the try: a bad hyper-parameter
// throws there (ArgumentError), a bad shape in make_layer (ShapeError).
template <class E = ShapeError, class Options>
void expect_error(
    const Options& options,
    const std::vector<Shape>& inputs,
    const std::string& message) {
  try {
    make_layer(options, inputs);
    ADD_FAILURE() << "no error; expected: " << message;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << message;
  }
}

Conv2dOptions conv(std::int64_t out, IntPair k) {
  Conv2dOptions o;
  o.out_channels = out;
  o.kernel_size = k;
  return o;
}

TEST(LayerShapeError, LinearOnAnImageSuggestsFlatten) {
  expect_error(
      LinearOptions{10},
      {Shape{32, 7, 7}},
      "Linear: expected a flat input [in_features] per sample; got [32, 7, 7]; "
      "add a Flatten layer before it");
}

TEST(LayerShapeError, LinearNeedsPositiveOutFeatures) {
  expect_error<ArgumentError>(
      LinearOptions{0},
      {Shape{4}},
      "Linear out_features: expected an integer >= 1; got 0");
}

TEST(LayerShapeError, WrongInputCount) {
  expect_error(
      LinearOptions{3},
      {Shape{4}, Shape{4}},
      "Linear: expected 1 input; got 2");
  expect_error(ReLUOptions{}, {}, "ReLU: expected 1 input; got 0");
}

TEST(LayerShapeError, EmptyInputDimension) {
  expect_error(
      TanhOptions{},
      {Shape{3, 0}},
      "Tanh: expected input 0 to have every dimension > 0; got [3, 0]");
}

TEST(LayerShapeError, ConvOnAFlatSample) {
  expect_error(
      conv(8, {3, 3}),
      {Shape{784}},
      "Conv2d: expected a 3-D input [channels, height, width] per sample; got "
      "[784]");
}

TEST(LayerShapeError, ConvChannelsNotDivisibleByGroups) {
  Conv2dOptions o = conv(8, {3, 3});
  o.groups = 4;
  expect_error(
      o,
      {Shape{6, 8, 8}},
      "Conv2d: expected in_channels divisible by groups 4; got in_channels 6");
  o.groups = 3;
  o.out_channels = 4;
  expect_error<ArgumentError>(
      o,
      {Shape{6, 8, 8}},
      "Conv2d groups: out_channels (4) must be divisible by groups; got 3");
}

TEST(LayerShapeError, ConvKernelLargerThanPaddedInput) {
  Conv2dOptions o = conv(2, {5, 3});
  o.padding = {1, 0};
  expect_error(
      o,
      {Shape{1, 2, 9}},
      "Conv2d: expected a kernel extent of at most the padded input 4x9 "
      "(input 2x9, padding 1x0 on each side); got 5x3 (kernel 5x3, dilation "
      "1x1)");
  o = conv(2, {3, 3});
  o.dilation = {3, 1};
  expect_error(o, {Shape{1, 6, 9}}, "got 7x3 (kernel 3x3, dilation 3x1)");
}

TEST(LayerShapeError, ConvHyperParameterRanges) {
  const std::vector<Shape> in{Shape{1, 5, 5}};
  Conv2dOptions o = conv(2, {3, 0});
  expect_error<ArgumentError>(
      o, in, "Conv2d kernel_size: expected integers >= 1; got [3, 0]");
  o.kernel_size = {3, std::int64_t{1} << 31};
  expect_error<ArgumentError>(
      o, in, "Conv2d kernel_size: expected integers <= 1073741824; got [3, ");
  o = conv(2, {3, 3});
  o.stride = {0, 1};
  expect_error<ArgumentError>(
      o, in, "Conv2d stride: expected integers >= 1; got [0, 1]");
  o = conv(2, {3, 3});
  o.padding = {-1, 0};
  expect_error<ArgumentError>(
      o, in, "Conv2d padding: expected integers >= 0; got [-1, 0]");
  o = conv(2, {3, 3});
  o.dilation = {1, 0};
  expect_error<ArgumentError>(
      o, in, "Conv2d dilation: expected integers >= 1; got [1, 0]");
  o = conv(2, {3, 3});
  o.groups = 0;
  expect_error<ArgumentError>(
      o, in, "Conv2d groups: expected an integer >= 1; got 0");
  expect_error<ArgumentError>(
      conv(-3, {3, 3}),
      in,
      "Conv2d out_channels: expected an integer >= 1; got -3");
}

TEST(LayerShapeError, PoolPaddingAboveHalfTheKernel) {
  expect_error<ArgumentError>(
      MaxPool2dOptions{{3, 3}, {1, 1}, {2, 1}},
      {Shape{2, 8, 8}},
      "MaxPool2d padding: expected at most half the kernel size [1, 1]; got "
      "[2, 1]");
}

TEST(LayerShapeError, PoolKernelLargerThanInput) {
  expect_error(
      AvgPool2dOptions{{3, 3}, {0, 0}, {0, 0}, true},
      {Shape{2, 2, 8}},
      "AvgPool2d: expected a kernel extent of at most the padded input 2x8");
  expect_error(
      MaxPool2dOptions{{2, 2}},
      {Shape{8, 8}},
      "MaxPool2d: expected a 3-D input [channels, height, width] per sample; "
      "got [8, 8]");
}

TEST(LayerShapeError, BatchNormNeedsAnImage) {
  expect_error(
      BatchNorm2dOptions{},
      {Shape{16}},
      "BatchNorm2d: expected a 3-D input [channels, height, width] per sample; "
      "got [16]");
  expect_error<ArgumentError>(
      BatchNorm2dOptions{0.0, 0.1},
      {Shape{2, 3, 3}},
      "BatchNorm2d eps: expected a number > 0; got 0");
}

TEST(LayerShapeError, AddNeedsTwoInputsOfOneShape) {
  expect_error(
      AddOptions{}, {Shape{3}}, "Add: expected at least 2 inputs; got 1");
  expect_error(
      AddOptions{},
      {Shape{32, 8, 8}, Shape{32, 8, 8}, Shape{64, 8, 8}},
      "Add: expected every input to have the shape of input 0 [32, 8, 8]; got "
      "[64, 8, 8] for input 2");
}

TEST(LayerShapeError, SoftmaxDimOutOfRange) {
  expect_error(
      SoftmaxOptions{2},
      {Shape{10}},
      "Softmax: expected dim in [-2, 1] for the 2-D batched input (sample "
      "[10]); got 2");
  expect_error(SoftmaxOptions{-3}, {Shape{10}}, "got -3");
}

TEST(LayerShapeError, FlattenDims) {
  expect_error(
      FlattenOptions{1, 4},
      {Shape{3, 4, 5}},
      "Flatten: expected end_dim in [-4, 3] for the 4-D batched input [N, 3, "
      "4, 5]; got 4");
  expect_error(
      FlattenOptions{0, -1},
      {Shape{3, 4, 5}},
      "Flatten: expected start_dim >= 1 (dimension 0 is the batch); got 0");
  expect_error(
      FlattenOptions{3, 2},
      {Shape{3, 4, 5}},
      "Flatten: expected start_dim <= end_dim; got start_dim 3 (dimension 3) "
      "after end_dim 2 (dimension 2)");
}

TEST(LayerShapeError, ActivationOptions) {
  expect_error<ArgumentError>(
      GELUOptions{"fast"},
      {Shape{4}},
      "GELU approximate: expected one of none, tanh; got \"fast\"");
  expect_error<ArgumentError>(
      LeakyReLUOptions{std::numeric_limits<double>::infinity()},
      {Shape{4}},
      "LeakyReLU negative_slope: expected a finite number; got inf");
}

TEST(LayerMisuse, SetParamsChecksShapesAndOrder) {
  auto layer = make_layer(LinearOptions{3, true}, {{Shape{4}}});
  const std::vector<float> w(12, 0.0f);
  const std::vector<float> b(3, 0.0f);
  const ConstTensorView views[] = {{w, Shape{3, 4}}, {b, Shape{3}}};
  EXPECT_THROW(layer->set_params(context(), views, {}), UsageError);
  const memory::desc md = plain({2, 4});
  layer->prepare(context(), 2, {&md, 1}, Phase::Inference);
  try {
    const ConstTensorView swapped[] = {{w, Shape{4, 3}}, {b, Shape{3}}};
    layer->set_params(context(), swapped, {});
    ADD_FAILURE() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_NE(
        std::string(e.what()).find(
            "Linear: set_params parameters 0 expected shape [3, 4]; got [4, "
            "3]"),
        std::string::npos)
        << e.what();
  }
  EXPECT_THROW(layer->set_params(context(), {views, 1}, {}), ShapeError);
  EXPECT_NO_THROW(layer->set_params(context(), views, {}));
}

TEST(LayerMisuse, PrepareChecksTheSourceDims) {
  auto layer = make_layer(ReLUOptions{}, {{Shape{4, 5}}});
  const memory::desc md = plain({2, 5, 4});
  try {
    layer->prepare(context(), 2, {&md, 1}, Phase::Inference);
    ADD_FAILURE() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_NE(
        std::string(e.what()).find(
            "ReLU: prepare() source 0 expected f32 [2, 4, 5]; got [2, 5, 4]"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace initforge::layer_test
