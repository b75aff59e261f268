// SPDX-License-Identifier: Apache-2.0
// Linear, Conv2d and BatchNorm2d backward passes against central
// differences of double-precision references (gradcheck.h): bias on/off,
// stride/padding/dilation/groups/depthwise, odd sizes, batch 1 and 3,
// blocked source layouts and a skipped diff_src. The training state around
// them is in dense_training_test.cpp and batch_norm_training_test.cpp.

#include <cstdint>

#include <gtest/gtest.h>

#include "tests/layers/dense_reference.h"
#include "tests/layers/gradcheck.h"

namespace initforge::layer_test {
namespace {

using Tag = memory::format_tag;

RefForward linear_ref(std::int64_t in, std::int64_t out, bool bias) {
  return [=](const auto& x, const auto& p) {
    return linear_ref_d(x[0], p[0], bias ? &p[1] : nullptr, in, out);
  };
}

RefForward conv_ref(const ConvInput& s, const Conv2dOptions& o) {
  return [=](const auto& x, const auto& p) {
    return conv2d_ref_d(x[0], s, p[0], o.bias ? &p[1] : nullptr, o);
  };
}

RefForward bn_ref(const ConvInput& s, double eps) {
  return [=](const auto& x, const auto& p) {
    return batch_norm_train_ref_d(x[0], s, p[0], p[1], eps);
  };
}

GradCase linear_case(
    std::int64_t batch, std::int64_t in, std::int64_t out, bool bias) {
  GradCase c;
  c.options = LinearOptions{out, bias};
  c.input_shapes = {Shape{in}};
  c.batch = batch;
  c.inputs = {random_values(batch * in, 21)};
  c.reference = linear_ref(in, out, bias);
  return c;
}

GradCase conv_case(const ConvInput& s, const Conv2dOptions& o) {
  GradCase c;
  c.options = o;
  c.input_shapes = {Shape{s.c, s.h, s.w}};
  c.batch = s.n;
  c.inputs = {random_values(s.n * s.c * s.h * s.w, 31)};
  c.reference = conv_ref(s, o);
  return c;
}

GradCase bn_case(const ConvInput& s) {
  GradCase c;
  c.options = BatchNorm2dOptions{};
  c.input_shapes = {Shape{s.c, s.h, s.w}};
  c.batch = s.n;
  // Off-centre values keep the batch mean away from zero.
  c.inputs = {random_values(s.n * s.c * s.h * s.w, 41, -2.0f, 3.0f)};
  c.reference = bn_ref(s, 1e-5);
  return c;
}

Conv2dOptions conv(
    std::int64_t out,
    IntPair k,
    IntPair stride,
    IntPair pad,
    IntPair dil,
    std::int64_t groups,
    bool bias) {
  return {out, k, stride, pad, dil, groups, bias};
}

// ---- Linear ----------------------------------------------------------

TEST(LinearBackward, MatchesFiniteDifferencesWithBias) {
  gradcheck(linear_case(3, 13, 7, true));
}

TEST(LinearBackward, MatchesFiniteDifferencesWithoutBiasBatchOne) {
  gradcheck(linear_case(1, 5, 9, false));
}

TEST(LinearBackward, WritesDiffSrcInATransposedSourceLayout) {
  GradCase c = linear_case(3, 17, 4, true);
  c.src_tags = {Tag::ba};  // not what inner product picks: reorders
  gradcheck(c);
}

TEST(LinearBackward, ParamGradsRightWhenDiffSrcIsSkipped) {
  GradCase c = linear_case(3, 6, 5, true);
  c.needs_grad = {false};
  const GradResult r = gradcheck(c);
  EXPECT_TRUE(r.diff_src[0].empty());
}

// ---- Conv2d ----------------------------------------------------------

TEST(Conv2dBackward, MatchesFiniteDifferences3x3Padded) {
  gradcheck(conv_case(
      {3, 3, 5, 7}, conv(4, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true)));
}

TEST(Conv2dBackward, MatchesFiniteDifferencesStridedDilatedNoBias) {
  gradcheck(conv_case(
      {2, 2, 9, 8}, conv(3, {3, 2}, {2, 1}, {1, 2}, {2, 1}, 1, false)));
}

TEST(Conv2dBackward, MatchesFiniteDifferencesGrouped) {
  gradcheck(conv_case(
      {2, 4, 6, 5}, conv(6, {3, 3}, {1, 2}, {1, 0}, {1, 1}, 2, true)));
}

TEST(Conv2dBackward, MatchesFiniteDifferencesDepthwiseBatchOne) {
  gradcheck(conv_case(
      {1, 3, 7, 6}, conv(6, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 3, true)));
}

TEST(Conv2dBackward, MatchesFiniteDifferencesFromBlockedSources) {
  for (const Tag tag : {Tag::nChw16c, Tag::nhwc, Tag::nChw8c}) {
    SCOPED_TRACE(static_cast<int>(tag));
    GradCase c = conv_case(
        {2, 5, 4, 4}, conv(4, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true));
    c.src_tags = {tag};
    gradcheck(c);
  }
}

TEST(Conv2dBackward, ParamGradsRightWhenDiffSrcIsSkipped) {
  // The model's first layer: one plain input channel, as on Fashion-MNIST.
  GradCase c =
      conv_case({3, 1, 8, 8}, conv(8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true));
  c.needs_grad = {false};
  const GradResult r = gradcheck(c);
  EXPECT_TRUE(r.diff_src[0].empty());
}

// ---- BatchNorm2d -----------------------------------------------------

TEST(BatchNorm2dBackward, MatchesFiniteDifferencesWithBatchStatistics) {
  gradcheck(bn_case({3, 3, 4, 5}));
}

TEST(BatchNorm2dBackward, MatchesFiniteDifferencesBatchOne) {
  gradcheck(bn_case({1, 2, 3, 3}));  // statistics over H x W alone
}

TEST(BatchNorm2dBackward, MatchesFiniteDifferencesInBlockedLayouts) {
  for (const Tag tag : {Tag::nChw16c, Tag::nhwc}) {
    SCOPED_TRACE(static_cast<int>(tag));
    GradCase c = bn_case({2, 5, 3, 3});
    c.src_tags = {tag};
    gradcheck(c);
  }
}

TEST(BatchNorm2dBackward, ParamGradsRightWhenDiffSrcIsSkipped) {
  GradCase c = bn_case({2, 3, 3, 2});
  c.needs_grad = {false};
  gradcheck(c);
}

}  // namespace
}  // namespace initforge::layer_test
