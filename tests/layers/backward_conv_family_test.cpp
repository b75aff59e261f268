// SPDX-License-Identifier: Apache-2.0
// Conv1d and ConvTranspose2d forward and backward against central
// differences of double-precision references (gradcheck.h): bias on/off,
// stride/padding/dilation/groups, output_padding, plain and blocked source
// layouts, a skipped diff_src.

#include <cstdint>

#include <gtest/gtest.h>

#include "tests/layers/conv_family_reference.h"
#include "tests/layers/gradcheck.h"

namespace initforge::layer_test {
namespace {

using Tag = memory::format_tag;

GradCase conv1d_case(const Ncl& s, const Conv1dOptions& o) {
  GradCase c;
  c.options = o;
  c.input_shapes = {Shape{s.c, s.l}};
  c.batch = s.n;
  c.inputs = {random_values(s.n * s.c * s.l, 51)};
  c.reference = [=](const auto& x, const auto& p) {
    return conv1d_ref_d(x[0], s, p[0], o.bias ? &p[1] : nullptr, o);
  };
  return c;
}

GradCase deconv_case(const ConvInput& s, const ConvTranspose2dOptions& o) {
  GradCase c;
  c.options = o;
  c.input_shapes = {Shape{s.c, s.h, s.w}};
  c.batch = s.n;
  c.inputs = {random_values(s.n * s.c * s.h * s.w, 61)};
  c.reference = [=](const auto& x, const auto& p) {
    return conv_transpose2d_ref_d(x[0], s, p[0], o.bias ? &p[1] : nullptr, o);
  };
  return c;
}

// ---- Conv1d ----------------------------------------------------------

TEST(Conv1dBackward, MatchesFiniteDifferencesPadded) {
  gradcheck(conv1d_case({3, 3, 11}, {4, 3, 1, 1, 1, 1, true}));
}

TEST(Conv1dBackward, MatchesFiniteDifferencesStridedDilatedNoBias) {
  gradcheck(conv1d_case({2, 2, 13}, {3, 3, 2, 2, 2, 1, false}));
}

TEST(Conv1dBackward, MatchesFiniteDifferencesGroupedAndDepthwise) {
  gradcheck(conv1d_case({2, 4, 9}, {6, 3, 1, 1, 1, 2, true}));
  gradcheck(conv1d_case({1, 3, 8}, {6, 3, 1, 1, 1, 3, true}));
}

TEST(Conv1dBackward, MatchesFiniteDifferencesFromBlockedSources) {
  // 17 channels: the 16-blocked layout pads its second block.
  for (const Tag tag : {Tag::nCw16c, Tag::nwc, Tag::nCw8c}) {
    SCOPED_TRACE(static_cast<int>(tag));
    GradCase c = conv1d_case({2, 17, 6}, {5, 3, 1, 1, 1, 1, true});
    c.src_tags = {tag};
    gradcheck(c);
  }
}

TEST(Conv1dBackward, ParamGradsRightWhenDiffSrcIsSkipped) {
  GradCase c = conv1d_case({3, 1, 12}, {8, 5, 1, 2, 1, 1, true});
  c.needs_grad = {false};
  const GradResult r = gradcheck(c);
  EXPECT_TRUE(r.diff_src[0].empty());
}

// ---- ConvTranspose2d -------------------------------------------------

TEST(ConvTranspose2dBackward, MatchesFiniteDifferences3x3) {
  gradcheck(deconv_case({2, 3, 4, 5}, {4, {3, 3}}));
}

TEST(ConvTranspose2dBackward, MatchesFiniteDifferencesStridedOutputPadding) {
  // The usual 2x upsampling: (in - 1)·2 - 2 + 3 + 1 = 2·in.
  gradcheck(deconv_case(
      {2, 3, 4, 3}, {4, {3, 3}, {2, 2}, {1, 1}, {1, 1}, 1, true, {1, 1}}));
}

TEST(ConvTranspose2dBackward, MatchesFiniteDifferencesRectangularNoBias) {
  gradcheck(deconv_case(
      {3, 2, 3, 4}, {3, {2, 3}, {3, 1}, {0, 1}, {2, 0}, 1, false, {1, 1}}));
}

TEST(ConvTranspose2dBackward, MatchesFiniteDifferencesDilatedOutputPadding) {
  // output_padding 1 >= stride 1 is legal under dilation 2.
  gradcheck(deconv_case(
      {2, 2, 4, 4}, {3, {3, 2}, {1, 1}, {1, 1}, {1, 0}, 1, true, {2, 1}}));
}

TEST(ConvTranspose2dBackward, MatchesFiniteDifferencesNegativeRightPadding) {
  // output_padding 2 > padding 0: the mirrored convolution's right padding
  // is -2 (above -stride 3).
  gradcheck(deconv_case(
      {2, 2, 3, 4}, {3, {2, 3}, {3, 1}, {0, 1}, {2, 0}, 1, true, {1, 1}}));
}

TEST(ConvTranspose2dBackward, MatchesFiniteDifferencesGrouped) {
  gradcheck(deconv_case(
      {2, 4, 3, 3}, {6, {3, 3}, {2, 1}, {1, 0}, {1, 0}, 2, true, {1, 1}}));
  gradcheck(deconv_case(  // depthwise
      {1, 3, 4, 4},
      {3, {3, 3}, {1, 1}, {1, 1}, {0, 0}, 3, true, {1, 1}}));
}

TEST(ConvTranspose2dBackward, MatchesFiniteDifferencesFromBlockedSources) {
  for (const Tag tag : {Tag::nChw16c, Tag::nhwc, Tag::nChw8c}) {
    SCOPED_TRACE(static_cast<int>(tag));
    GradCase c = deconv_case(
        {2, 17, 3, 3}, {5, {3, 3}, {2, 2}, {1, 1}, {1, 1}, 1, true, {1, 1}});
    c.src_tags = {tag};
    gradcheck(c);
  }
}

TEST(ConvTranspose2dBackward, ParamGradsRightWhenDiffSrcIsSkipped) {
  GradCase c = deconv_case({3, 2, 3, 3}, {4, {2, 2}, {2, 2}});
  c.needs_grad = {false};
  const GradResult r = gradcheck(c);
  EXPECT_TRUE(r.diff_src[0].empty());
}

}  // namespace
}  // namespace initforge::layer_test
