// SPDX-License-Identifier: Apache-2.0
// BatchNorm1d, LayerNorm and GroupNorm forward and backward against central
// differences of double-precision references (gradcheck.h): with and without
// affine parameters, plain and blocked source layouts, batch 1, a skipped
// diff_src and a re-prepare for another batch size.

#include <cstdint>

#include <gtest/gtest.h>

#include "tests/layers/dense_reference.h"
#include "tests/layers/gradcheck.h"
#include "tests/layers/norm_reference.h"

namespace initforge::layer_test {
namespace {

using Tag = memory::format_tag;

std::string tag_text(Tag tag) {
  return "layout tag " + std::to_string(static_cast<int>(tag));
}

// ---- BatchNorm1d -----------------------------------------------------

// Per sample [c] (length 0) or [c, length]; statistics over batch x length.
GradCase bn1d_case(
    std::int64_t n, std::int64_t c, std::int64_t length, Tag tag = Tag::undef) {
  GradCase g;
  g.options = BatchNorm1dOptions{};
  g.input_shapes = {length == 0 ? Shape{c} : Shape{c, length}};
  g.batch = n;
  // Off-centre values keep the batch mean away from zero.
  g.inputs = {random_values(
      n * c * std::max<std::int64_t>(length, 1), 51, -2.0f, 3.0f)};
  const ConvInput s{n, c, std::max<std::int64_t>(length, 1), 1};
  g.reference = [s](const auto& x, const auto& p) {
    return batch_norm_train_ref_d(x[0], s, p[0], p[1], 1e-5);
  };
  g.src_tags = {tag};
  return g;
}

TEST(BatchNorm1dBackward, MatchesFiniteDifferencesOnBatchByChannels) {
  for (Tag tag : {Tag::undef, Tag::ba}) {
    SCOPED_TRACE(tag_text(tag));
    gradcheck(bn1d_case(5, 7, 0, tag));
  }
}

TEST(BatchNorm1dBackward, MatchesFiniteDifferencesWithALength) {
  for (Tag tag : {Tag::undef, Tag::acb, Tag::aBc16b, Tag::aBc8b}) {
    SCOPED_TRACE(tag_text(tag));
    gradcheck(bn1d_case(3, 17, 4, tag));  // 17: blocked layouts pad
  }
}

TEST(BatchNorm1dBackward, MatchesFiniteDifferencesBatchOne) {
  gradcheck(bn1d_case(1, 3, 6));  // statistics over the length alone
}

TEST(BatchNorm1dBackward, ParamGradsRightWhenDiffSrcIsSkipped) {
  GradCase g = bn1d_case(4, 3, 0);
  g.needs_grad = {false};
  gradcheck(g);
}

// ---- LayerNorm -------------------------------------------------------

GradCase layer_norm_case(
    const Shape& sample,
    const IntList& normalized,
    bool affine = true,
    std::int64_t batch = 2,
    Tag tag = Tag::undef) {
  GradCase g;
  g.options = LayerNormOptions{normalized, 1e-5, affine};
  g.input_shapes = {sample};
  g.batch = batch;
  g.inputs = {random_values(batch * sample.numel(), 61, -2.0f, 3.0f)};
  std::int64_t cols = 1;
  for (std::int64_t d : normalized) cols *= d;
  g.reference = [cols, affine](const auto& x, const auto& p) {
    return layer_norm_ref(
        x[0], cols, affine ? &p[0] : nullptr, affine ? &p[1] : nullptr, 1e-5);
  };
  g.src_tags = {tag};
  return g;
}

TEST(LayerNormBackward, MatchesFiniteDifferencesOverTheLastDim) {
  gradcheck(layer_norm_case(Shape{3, 4, 5}, {5}));
  gradcheck(layer_norm_case(Shape{6}, {6}, true, 3));  // [batch, features]
}

TEST(LayerNormBackward, MatchesFiniteDifferencesOverSeveralDims) {
  gradcheck(layer_norm_case(Shape{3, 4, 5}, {4, 5}));
  gradcheck(layer_norm_case(Shape{3, 4, 5}, {3, 4, 5}, true, 1));
}

TEST(LayerNormBackward, MatchesFiniteDifferencesWithoutAffine) {
  const GradResult r = gradcheck(layer_norm_case(Shape{2, 7}, {7}, false));
  EXPECT_TRUE(r.param_grads.empty());
}

TEST(LayerNormBackward, MatchesFiniteDifferencesFromBlockedSources) {
  // The rows need the row-major layout: the input is reordered to it and
  // diff_src back into the source's layout.
  for (Tag tag : {Tag::nhwc, Tag::nChw16c, Tag::nChw8c}) {
    SCOPED_TRACE(tag_text(tag));
    gradcheck(layer_norm_case(Shape{17, 3, 2}, {3, 2}, true, 2, tag));
    gradcheck(layer_norm_case(Shape{17, 3, 2}, {17, 3, 2}, false, 2, tag));
  }
}

TEST(LayerNormBackward, ParamGradsRightWhenDiffSrcIsSkipped) {
  for (Tag tag : {Tag::undef, Tag::nChw8c}) {
    SCOPED_TRACE(tag_text(tag));
    GradCase g = layer_norm_case(Shape{5, 2, 3}, {2, 3}, true, 2, tag);
    g.needs_grad = {false};
    gradcheck(g);
  }
}

// ---- GroupNorm -------------------------------------------------------

GradCase group_norm_case(
    const Shape& sample,
    std::int64_t groups,
    bool affine = true,
    std::int64_t batch = 2,
    Tag tag = Tag::undef) {
  GradCase g;
  g.options = GroupNormOptions{groups, 1e-5, affine};
  g.input_shapes = {sample};
  g.batch = batch;
  g.inputs = {random_values(batch * sample.numel(), 71, -2.0f, 3.0f)};
  const std::int64_t c = sample[0];
  const std::int64_t spatial = sample.numel() / c;
  g.reference = [=](const auto& x, const auto& p) {
    return group_norm_ref(
        x[0],
        c,
        spatial,
        groups,
        affine ? &p[0] : nullptr,
        affine ? &p[1] : nullptr,
        1e-5);
  };
  g.src_tags = {tag};
  return g;
}

TEST(GroupNormBackward, MatchesFiniteDifferencesForEveryGrouping) {
  // Three groups of two channels; one group (LayerNorm over the sample);
  // a group per channel (InstanceNorm).
  for (std::int64_t groups : {3, 1, 6}) {
    SCOPED_TRACE("groups " + std::to_string(groups));
    gradcheck(group_norm_case(Shape{6, 3, 4}, groups));
  }
}

TEST(GroupNormBackward, MatchesFiniteDifferencesOnBatchByChannels) {
  // No spatial positions: 2-D affine; for one sample no sum in the
  // parameter gradients either.
  gradcheck(group_norm_case(Shape{8}, 2, true, 3));
  gradcheck(group_norm_case(Shape{8}, 4, true, 1));
  gradcheck(group_norm_case(Shape{6, 5}, 3, true, 1));  // [N, C, L]
}

TEST(GroupNormBackward, MatchesFiniteDifferencesWithoutAffine) {
  const GradResult r = gradcheck(group_norm_case(Shape{6, 3, 4}, 2, false));
  EXPECT_TRUE(r.param_grads.empty());
}

TEST(GroupNormBackward, MatchesFiniteDifferencesFromBlockedSources) {
  // 18 channels: nChw16c pads its second block.
  for (Tag tag : {Tag::nhwc, Tag::nChw16c, Tag::nChw8c}) {
    SCOPED_TRACE(tag_text(tag));
    gradcheck(group_norm_case(Shape{18, 2, 3}, 3, true, 2, tag));
  }
}

TEST(GroupNormBackward, ParamGradsRightWhenDiffSrcIsSkipped) {
  for (Tag tag : {Tag::undef, Tag::nChw16c}) {
    SCOPED_TRACE(tag_text(tag));
    GradCase g = group_norm_case(Shape{4, 3, 3}, 2, true, 2, tag);
    g.needs_grad = {false};
    gradcheck(g);
  }
}

TEST(NormBackward, ReprepareForAnotherBatchKeepsGradientsRight) {
  // One layer each for 4, 3 (an epoch's short last batch), then 4 samples:
  // the row statistics and the scratch buffers follow the batch.
  const Shape sample{6, 2, 3};
  for (const bool group : {false, true}) {
    SCOPED_TRACE(group ? "GroupNorm" : "LayerNorm");
    const LayerOptions options = group ? LayerOptions(GroupNormOptions{3})
                                       : LayerOptions(LayerNormOptions{{2, 3}});
    const auto layer = make_layer(options, {{sample}});
    for (std::int64_t batch : {4, 3, 4}) {
      SCOPED_TRACE("batch " + std::to_string(batch));
      GradCase g = group ? group_norm_case(sample, 3, true, batch)
                         : layer_norm_case(sample, {2, 3}, true, batch);
      g.layer = layer.get();
      gradcheck(g);
    }
  }
}

}  // namespace
}  // namespace initforge::layer_test
