// SPDX-License-Identifier: Apache-2.0
// AdaptiveAvgPool2d and Concat forward and backward against central
// differences of double-precision references (gradcheck.h), in plain,
// channels-last and blocked layouts.

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "tests/layers/conv_family_reference.h"
#include "tests/layers/gradcheck.h"

namespace initforge::layer_test {
namespace {

using Tag = memory::format_tag;

// ---- AdaptiveAvgPool2d -----------------------------------------------

struct AdaptiveCase {
  const char* name;
  std::int64_t c, h, w;
  IntPair out;
};

class AdaptiveAvgPool2dBackward : public testing::TestWithParam<AdaptiveCase> {
};

TEST_P(AdaptiveAvgPool2dBackward, MatchesFiniteDifferencesInEveryLayout) {
  const AdaptiveCase& t = GetParam();
  const Shape sample{t.c, t.h, t.w};
  const ConvInput s{2, t.c, t.h, t.w};
  const IntPair out = t.out;
  for (Tag tag : {Tag::undef, Tag::nhwc, Tag::nChw16c}) {
    SCOPED_TRACE(testing::Message() << "layout tag " << static_cast<int>(tag));
    GradCase c;
    c.options = AdaptiveAvgPool2dOptions{t.out};
    c.input_shapes = {sample};
    c.inputs = {random_values(2 * sample.numel(), 71)};
    c.src_tags = {tag};
    c.reference = [=](const auto& x, const auto&) {
      return adaptive_avg_pool2d_ref_d(x[0], s, out[0], out[1]);
    };
    const GradResult r = gradcheck(c);
    EXPECT_EQ(r.layer->output_shape(), (Shape{t.c, out[0], out[1]}));
  }
}

// 17 channels: nChw16c pads its second block. The reference computes
// PyTorch's floor/ceil windows, not the layer's kernel and stride.
// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Layers,
    AdaptiveAvgPool2dBackward,
    testing::Values(
        AdaptiveCase{"Global", 17, 5, 7, {1, 1}},
        AdaptiveCase{"Divisors", 17, 6, 8, {3, 2}},
        AdaptiveCase{"Identity", 3, 4, 3, {4, 3}},
        AdaptiveCase{"OverlappingWindows7To3", 3, 7, 9, {3, 1}}),
    [](const auto& param_info) { return std::string(param_info.param.name); });
// clang-format on

// ---- Concat ----------------------------------------------------------

GradCase concat_case(
    const std::vector<Shape>& samples, std::int64_t dim, std::size_t axis) {
  GradCase c;
  c.options = ConcatOptions{dim};
  c.input_shapes = samples;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    c.inputs.push_back(random_values(
        2 * samples[i].numel(), 80 + static_cast<std::uint32_t>(i)));
  }
  c.reference = [=](const auto& x, const auto&) {
    return concat_ref_d(x, samples, 2, axis);
  };
  return c;
}

TEST(ConcatBackward, TwoPlainInputsAlongChannels) {
  const GradResult r =
      gradcheck(concat_case({Shape{2, 3, 4}, Shape{5, 3, 4}}, 1, 1));
  EXPECT_EQ(r.layer->output_shape(), (Shape{7, 3, 4}));
}

TEST(ConcatBackward, FlatInputsAsLinearGivesThem) {
  gradcheck(concat_case({Shape{3}, Shape{4}, Shape{1}}, 1, 1));
  gradcheck(concat_case({Shape{3}, Shape{4}}, -1, 1));
}

TEST(ConcatBackward, AlongWidthWithANegativeDim) {
  const GradResult r =
      gradcheck(concat_case({Shape{2, 3, 4}, Shape{2, 3, 1}}, -1, 3));
  EXPECT_EQ(r.layer->output_shape(), (Shape{2, 3, 5}));
}

TEST(ConcatBackward, MixedLayoutsAndASkippedInput) {
  // 5 + 16 + 3 channels: slices start inside a 16-channel block.
  for (std::size_t skipped = 0; skipped < 3; ++skipped) {
    SCOPED_TRACE(testing::Message() << "input without gradient " << skipped);
    GradCase c =
        concat_case({Shape{5, 3, 2}, Shape{16, 3, 2}, Shape{3, 3, 2}}, 1, 1);
    c.src_tags = {Tag::nhwc, Tag::undef, Tag::nChw16c};
    c.needs_grad = {true, true, true};
    c.needs_grad[skipped] = false;
    const GradResult r = gradcheck(c);
    EXPECT_TRUE(r.diff_src[skipped].empty());
  }
}

TEST(ConcatBackward, BlockedInputsAlignedAndUnalignedToTheBlock) {
  // 16 + 16 and 16 + 4 (a padded tail block) slice a 16-blocked diff_dst
  // in place; for 5 + 7 oneDNN picks an unblocked dst.
  for (const auto& channels :
       {IntPair{16, 16}, IntPair{16, 4}, IntPair{8, 3}, IntPair{5, 7}}) {
    for (Tag tag : {Tag::nChw16c, Tag::nChw8c, Tag::nhwc}) {
      SCOPED_TRACE(
          testing::Message() << channels[0] << " + " << channels[1]
                             << " channels, tag " << static_cast<int>(tag));
      GradCase c = concat_case(
          {Shape{channels[0], 2, 3}, Shape{channels[1], 2, 3}}, 1, 1);
      c.src_tags = {tag, tag};
      gradcheck(c);
    }
  }
}

}  // namespace
}  // namespace initforge::layer_test
