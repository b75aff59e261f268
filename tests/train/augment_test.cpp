// SPDX-License-Identifier: Apache-2.0
// Seeded augmentation: the draws depend only on (seed, epoch, sample), crop
// offsets stay in range and cover it uniformly, flips come at rate 1/2, and
// the in-place batch transform equals torchvision's pad-crop-flip computed
// the plain way.
#include "framework/train/augment.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <set>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/core/tensor.h"

namespace initforge {
namespace {

const Shape kSample{2, 5, 7};

AugmentOptions options(bool crop, std::int64_t padding, bool flip) {
  return {
      .random_crop = crop,
      .padding = padding,
      .horizontal_flip = flip,
      .fill = {-1.5f, 2.5f},
      .seed = 42};
}

// torchvision's RandomCrop(size = image, padding, fill) then
// RandomHorizontalFlip on one sample, spelled out.
std::vector<float> reference(
    const float* x,
    const SampleAugment& a,
    std::int64_t padding,
    const std::vector<float>& fill) {
  const std::int64_t c = kSample[0], h = kSample[1], w = kSample[2];
  std::vector<float> out(static_cast<std::size_t>(c * h * w));
  for (std::int64_t k = 0; k < c; ++k) {
    for (std::int64_t y = 0; y < h; ++y) {
      for (std::int64_t xo = 0; xo < w; ++xo) {
        const std::int64_t xc = a.flip ? w - 1 - xo : xo;  // flip after crop
        const std::int64_t sy = y + a.top - padding;
        const std::int64_t sx = xc + a.left - padding;
        const bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        out[static_cast<std::size_t>((k * h + y) * w + xo)] =
            inside ? x[(k * h + sy) * w + sx]
                   : fill[static_cast<std::size_t>(k)];
      }
    }
  }
  return out;
}

// Sample k's pixels: distinct values, so any misplaced pixel shows.
Tensor dataset_images(std::int64_t n) {
  Tensor t = Tensor::empty(Shape{n, 2, 5, 7});
  std::iota(t.span().begin(), t.span().end(), 0.0f);
  return t;
}

TEST(Augment, DrawsDependOnlyOnSeedEpochAndSample) {
  Augmenter a(kSample, 1000, options(true, 4, true));
  Augmenter b(kSample, 1000, options(true, 4, true));
  AugmentOptions other = options(true, 4, true);
  other.seed = 43;
  Augmenter c(kSample, 1000, other);
  a.start_epoch(3);
  b.start_epoch(7);
  b.start_epoch(3);  // after another epoch: nothing carries over
  c.start_epoch(3);
  int same_other_seed = 0;
  for (std::int64_t k = 0; k < 1000; ++k) {
    EXPECT_EQ(a.draws(k).top, b.draws(k).top);
    EXPECT_EQ(a.draws(k).left, b.draws(k).left);
    EXPECT_EQ(a.draws(k).flip, b.draws(k).flip);
    same_other_seed += a.draws(k).top == c.draws(k).top &&
                       a.draws(k).left == c.draws(k).left &&
                       a.draws(k).flip == c.draws(k).flip;
  }
  // Chance agreement of all three draws is 1/162 per sample: ~6 of 1000.
  EXPECT_LT(same_other_seed, 30);
  // A sample's draws do not depend on how many samples the dataset has.
  Augmenter small(kSample, 10, options(true, 4, true));
  small.start_epoch(3);
  for (std::int64_t k = 0; k < 10; ++k) {
    EXPECT_EQ(small.draws(k).top, a.draws(k).top);
    EXPECT_EQ(small.draws(k).left, a.draws(k).left);
  }
}

TEST(Augment, OffsetsCoverTheirRangeUniformlyAndFlipsComeAtHalfRate) {
  constexpr std::int64_t kN = 20000;
  constexpr std::int64_t kPad = 4;
  Augmenter a(kSample, kN, options(true, kPad, true));
  a.start_epoch(0);
  std::map<std::int64_t, std::int64_t> tops, lefts;
  std::int64_t flips = 0;
  for (std::int64_t k = 0; k < kN; ++k) {
    const SampleAugment d = a.draws(k);
    ASSERT_GE(d.top, 0);
    ASSERT_LE(d.top, 2 * kPad);
    ASSERT_GE(d.left, 0);
    ASSERT_LE(d.left, 2 * kPad);
    ++tops[d.top];
    ++lefts[d.left];
    flips += d.flip;
  }
  // Binomial(20000, 1/2): std 70.7 flips; 5 sigma is 354.
  EXPECT_NEAR(static_cast<double>(flips), kN / 2.0, 5 * std::sqrt(kN * 0.25));
  // Each of the 9 offsets: Binomial(20000, 1/9), std 44.4; 5 sigma.
  const double expected = kN / 9.0;
  const double tolerance = 5 * std::sqrt(kN * (1.0 / 9) * (8.0 / 9));
  for (const auto* counts : {&tops, &lefts}) {
    ASSERT_EQ(counts->size(), 9u);
    for (const auto& [offset, count] : *counts) {
      EXPECT_NEAR(static_cast<double>(count), expected, tolerance) << offset;
    }
  }
  // Different epochs draw differently.
  Augmenter next(kSample, kN, options(true, kPad, true));
  next.start_epoch(1);
  std::int64_t same = 0;
  for (std::int64_t k = 0; k < kN; ++k)
    same += next.draws(k).top == a.draws(k).top;
  EXPECT_NEAR(static_cast<double>(same), expected, tolerance);
}

TEST(Augment, BatchTransformEqualsPadCropFlipForEveryDraw) {
  // 98 (top, left, flip) combinations of padding 3: 2000 samples see each
  // about 20 times (all of them but with probability ~1e-7).
  constexpr std::int64_t kN = 2000;
  const Tensor images = dataset_images(kN);
  for (const auto& [crop, padding, flip] :
       {std::tuple{true, std::int64_t{3}, true},
        std::tuple{true, std::int64_t{3}, false},
        std::tuple{false, std::int64_t{3}, true},
        std::tuple{true, std::int64_t{9}, false}}) {
    SCOPED_TRACE(::testing::Message() << crop << padding << flip);
    const AugmentOptions o = options(crop, padding, flip);
    Augmenter a(kSample, kN, o);
    a.start_epoch(2);
    // The batch: samples in a shuffled order, as the Batcher gives them.
    std::vector<std::int64_t> indices(kN);
    for (std::int64_t i = 0; i < kN; ++i)
      indices[static_cast<std::size_t>(i)] = (i * 7) % kN;
    Tensor batch = Tensor::empty(Shape{kN, 2, 5, 7});
    const std::int64_t numel = kSample.numel();
    for (std::int64_t i = 0; i < kN; ++i) {
      std::copy_n(
          images.data() + indices[static_cast<std::size_t>(i)] * numel,
          numel,
          batch.data() + i * numel);
    }
    a.apply(batch.view(), indices);
    std::set<std::tuple<std::int64_t, std::int64_t, bool>> seen;
    for (std::int64_t i = 0; i < kN; ++i) {
      const std::int64_t k = indices[static_cast<std::size_t>(i)];
      const SampleAugment d = a.draws(k);
      seen.insert({d.top, d.left, d.flip});
      const std::vector<float> want =
          reference(images.data() + k * numel, d, crop ? padding : 0, o.fill);
      ASSERT_TRUE(
          std::equal(want.begin(), want.end(), batch.data() + i * numel))
          << "sample " << k << " top " << d.top << " left " << d.left
          << " flip " << d.flip;
    }
    if (crop && padding == 3) {
      EXPECT_EQ(seen.size(), flip ? 98u : 49u);  // every draw was checked
    }
  }
}

TEST(Augment, DisabledDoesNothingAndBadUseIsRefused) {
  Tensor batch = dataset_images(2);
  const std::vector<float> before(batch.span().begin(), batch.span().end());
  const std::vector<std::int64_t> indices{1, 0};
  Augmenter off;
  off.start_epoch(0);
  off.apply(batch.view(), indices);
  EXPECT_TRUE(std::equal(before.begin(), before.end(), batch.span().begin()));

  EXPECT_THROW(Augmenter(Shape{4, 5}, 2, options(true, 1, false)), ShapeError);
  EXPECT_THROW(
      Augmenter(kSample, 2, {.random_crop = true, .fill = {0.0f}}),
      InvalidArgument);
  Augmenter a(kSample, 2, options(true, 1, true));
  a.start_epoch(0);
  EXPECT_THROW(a.apply(batch.view(), std::vector<std::int64_t>{0}), ShapeError);
  EXPECT_THROW(
      a.apply(batch.view(), std::vector<std::int64_t>{0, 2}), InvalidArgument);
  EXPECT_THROW(a.draws(-1), InvalidArgument);
}

}  // namespace
}  // namespace initforge
