// SPDX-License-Identifier: Apache-2.0
// Conv1d, ConvTranspose2d, AdaptiveAvgPool2d and Concat: parameter shapes
// and fans as PyTorch computes them, output shapes, and the errors for
// inputs and hyper-parameters they cannot take. Values and gradients are
// in backward_conv_family_test.cpp and backward_pool_concat_test.cpp.

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/layers/layer_test_util.h"

namespace initforge::layer_test {
namespace {

template <class E = ShapeError>
void expect_error(
    const std::function<LayerSpec()>& spec,
    const std::vector<Shape>& inputs,
    const std::string& message) {
  try {
    make_layer(spec(), inputs);
    ADD_FAILURE() << "no error; expected: " << message;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << message;
  }
}

TEST(ConvFamilyParams, Conv1dWeightIsOutInOverGroupsKernel) {
  const auto layer =
      make_layer(Conv1dOptions{6, 5, 1, 0, 1, 2, true}, {{Shape{4, 20}}});
  const auto params = layer->params();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].shape, (Shape{6, 2, 5}));
  EXPECT_EQ(params[0].fans, (Fans{2 * 5, 6 * 5}));
  EXPECT_EQ(params[1].shape, (Shape{6}));
  EXPECT_EQ(params[1].fans, params[0].fans);  // the bias bound's fan_in
  EXPECT_EQ(layer->output_shape(), (Shape{6, 16}));
}

TEST(ConvFamilyParams, ConvTranspose2dFansArePyTorchsOfInOutOverGroups) {
  // PyTorch's weight [in, out/g, kh, kw]: its "fan_in" is size(1)·kh·kw =
  // out/g·kh·kw, and the default init and the bias bound use that.
  ConvTranspose2dOptions o{6, {3, 2}};
  o.groups = 2;
  const auto layer = make_layer(o, {{Shape{4, 5, 5}}});
  const auto params = layer->params();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "weight");
  EXPECT_EQ(params[0].shape, (Shape{4, 3, 3, 2}));
  EXPECT_EQ(params[0].fans, (Fans{3 * 6, 4 * 6}));
  EXPECT_EQ(params[1].shape, (Shape{6}));
  EXPECT_EQ(params[1].fans, params[0].fans);
  EXPECT_EQ(layer->output_shape(), (Shape{6, 7, 6}));
  o.bias = false;
  EXPECT_EQ(make_layer(o, {{Shape{4, 5, 5}}})->params().size(), 1u);
}

TEST(ConvFamilyParams, ConvTranspose2dOutputSizeIsPyTorchs) {
  // (in - 1)s - 2p + d(k - 1) + output_padding + 1 per axis.
  ConvTranspose2dOptions o{2, {3, 4}, {2, 3}, {1, 2}, {1, 2}};
  o.dilation = {2, 1};
  EXPECT_EQ(
      make_layer(o, {{Shape{1, 5, 6}}})->output_shape(),
      (Shape{2, 4 * 2 - 2 + 4 + 1 + 1, 5 * 3 - 4 + 3 + 2 + 1}));
}

TEST(ConvFamilyParams, DefaultInitIsPyTorchsResetParameters) {
  for (const char* type : {"Conv1d", "ConvTranspose2d"}) {
    SCOPED_TRACE(type);
    const LayerType* t = find_layer_type(type);
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(t->params.size(), 2u);
    EXPECT_EQ(t->params[0].default_scheme, "kaiming_uniform");
    EXPECT_EQ(t->params[1].default_scheme, "fan_in_uniform");
    EXPECT_EQ(t->params[1].present_if, "bias");
  }
}

TEST(ConvFamilyShapes, AdaptiveAvgPool2dOutputsTheRequestedSize) {
  for (const IntPair out : {IntPair{1, 1}, IntPair{2, 3}, IntPair{3, 1}}) {
    EXPECT_EQ(
        make_layer(AdaptiveAvgPool2dOptions{out}, {{Shape{5, 7, 9}}})
            ->output_shape(),
        (Shape{5, out[0], out[1]}))
        << out[0] << "x" << out[1];
  }
}

TEST(ConvFamilyShapes, ConcatSumsTheConcatenatedDimension) {
  EXPECT_EQ(
      make_layer(
          ConcatOptions{}, {{Shape{2, 4, 4}, Shape{3, 4, 4}, Shape{1, 4, 4}}})
          ->output_shape(),
      (Shape{6, 4, 4}));
  EXPECT_EQ(
      make_layer(ConcatOptions{-2}, {{Shape{2, 4, 4}, Shape{2, 1, 4}}})
          ->output_shape(),
      (Shape{2, 5, 4}));
}

TEST(ConvFamilyErrors, Conv1dNeedsChannelsAndLength) {
  expect_error(
      [] {
        return Conv1dOptions{4, 3};
      },
      {Shape{3, 8, 8}},
      "Conv1d: expected a 2-D input [channels, length] per sample; got [3, 8, "
      "8]");
  expect_error(
      [] {
        return Conv1dOptions{4, 3, 1, 0, 3};
      },
      {Shape{2, 6}},
      "Conv1d: expected a kernel extent of at most the padded length 6 "
      "(length 6, padding 0 on each side); got 7 (kernel 3, dilation 3)");
  expect_error(
      [] {
        return Conv1dOptions{4, 3, 1, 0, 1, 2};
      },
      {Shape{3, 6}},
      "Conv1d: expected in_channels divisible by groups 2; got in_channels 3");
  expect_error<ArgumentError>(
      [] {
        return Conv1dOptions{3, 3, 1, 0, 1, 2};
      },
      {Shape{4, 6}},
      "Conv1d groups: out_channels (3) must be divisible by groups; got 2");
  expect_error<ArgumentError>(
      [] {
        return Conv1dOptions{3, 0};
      },
      {Shape{4, 6}},
      "Conv1d kernel_size: expected an integer >= 1; got 0");
}

TEST(ConvFamilyErrors, ConvTranspose2dOutputPaddingBelowStrideOrDilation) {
  expect_error<ArgumentError>(
      [] {
        return ConvTranspose2dOptions{2, {3, 3}, {2, 1}, {0, 0}, {1, 1}};
      },
      {Shape{1, 4, 4}},
      "ConvTranspose2d output_padding: expected smaller than either stride "
      "[2, 1] or dilation [1, 1] per axis; got [1, 1]");
  // Legal in PyTorch (output_padding < dilation), not on oneDNN.
  expect_error<ArgumentError>(
      [] {
        ConvTranspose2dOptions o{2, {3, 3}, {1, 1}, {0, 1}, {1, 1}};
        o.dilation = {2, 2};
        return o;
      },
      {Shape{1, 4, 4}},
      "ConvTranspose2d output_padding: expected output_padding - padding < "
      "stride per axis (oneDNN cannot extend the output further); got "
      "output_padding [1, 1], padding [0, 1], stride [1, 1]");
  expect_error(
      [] {
        return ConvTranspose2dOptions{2, {3, 3}, {1, 1}, {3, 0}};
      },
      {Shape{1, 2, 4}},
      "ConvTranspose2d: expected an output of at least 1x1; got -2x6 for input "
      "[1, 2, 4]");
  expect_error(
      [] {
        return ConvTranspose2dOptions{2, {3, 3}};
      },
      {Shape{8}},
      "ConvTranspose2d: expected a 3-D input [channels, height, width] per "
      "sample; got [8]");
}

TEST(ConvFamilyErrors, AdaptiveAvgPool2dWindowsMustBeAlike) {
  expect_error(
      [] {
        return AdaptiveAvgPool2dOptions{{2, 3}};
      },
      {Shape{4, 6, 5}},
      "AdaptiveAvgPool2d: output_size 2x3 for input [4, 6, 5]: PyTorch's "
      "windows along width (5 -> 3) differ in size or spacing; expected an "
      "output size whose windows are alike, such as 1 or a divisor of 5");
  expect_error(
      [] {
        return AdaptiveAvgPool2dOptions{{8, 1}};
      },
      {Shape{4, 4, 5}},
      "windows along height (4 -> 8) differ");
  expect_error(
      [] {
        return AdaptiveAvgPool2dOptions{{1, 1}};
      },
      {Shape{16}},
      "AdaptiveAvgPool2d: expected a 3-D input [channels, height, width] per "
      "sample; got [16]");
  expect_error<ArgumentError>(
      [] {
        return AdaptiveAvgPool2dOptions{{0, 1}};
      },
      {Shape{4, 4, 4}},
      "AdaptiveAvgPool2d output_size: expected integers >= 1; got [0, 1]");
}

TEST(ConvFamilyErrors, ConcatInputsAndDim) {
  expect_error(
      [] { return ConcatOptions{}; },
      {Shape{3, 4}},
      "Concat: expected at least 2 inputs; got 1");
  expect_error(
      [] { return ConcatOptions{}; },
      {Shape{3, 4, 4}, Shape{2, 4, 5}},
      "Concat: expected every input to match input 0 [3, 4, 4] except along "
      "dim 1; got [2, 4, 5] for input 1");
  expect_error(
      [] { return ConcatOptions{}; },
      {Shape{3, 4, 4}, Shape{3, 16}},
      "got [3, 16] for input 1");
  expect_error(
      [] { return ConcatOptions{0}; },
      {Shape{3, 4}, Shape{3, 4}},
      "Concat: expected dim in [1, 2] or [-2, -1] for the 3-D batched input 0 "
      "(sample [3, 4]; 0 is the batch); got 0");
  expect_error(
      [] { return ConcatOptions{-3}; }, {Shape{3, 4}, Shape{3, 4}}, "got -3");
  expect_error(
      [] { return ConcatOptions{3}; }, {Shape{3, 4}, Shape{3, 4}}, "got 3");
}

}  // namespace
}  // namespace initforge::layer_test
