// SPDX-License-Identifier: Apache-2.0
#pragma once

// Seeded data augmentation of training batches, in place: torchvision's
// RandomCrop(size = the image's, padding, fill 0) then
// RandomHorizontalFlip(p = 0.5), on image samples [C, H, W].
//
// Draws. Sample k (its index in the dataset) in epoch e (from 0) takes
// words 4k, 4k+1, 4k+2 of philox (seed, "augment.epoch<e>") (random_u32,
// draw 0): top = (w0 * (2 padding + 1)) >> 32, left likewise from w1,
// flip = w2 >> 31. So a batch's augmentation depends only on (seed, epoch,
// which samples): a resumed run sees the batches an uninterrupted one does.

#include <cstdint>
#include <span>
#include <vector>

#include "framework/core/export.h"
#include "framework/core/shape.h"
#include "framework/core/tensor_view.h"

namespace initforge {

struct AugmentOptions {
  bool random_crop = false;
  std::int64_t padding = 0;
  bool horizontal_flip = false;
  /// Per channel: the value padding takes (a raw 0 after normalization).
  std::vector<float> fill{};
  std::uint64_t seed = 0;
};

/// One sample's draws: the crop's corner in the padded image, and whether
/// the crop is mirrored left to right.
struct SampleAugment {
  std::int64_t top = 0;
  std::int64_t left = 0;
  bool flip = false;
};

class INITFORGE_API Augmenter {
 public:
  /// Does nothing.
  Augmenter() = default;
  /// For `samples` dataset samples of shape [C, H, W]; ShapeError for
  /// another rank, InvalidArgument unless `fill` has C values.
  Augmenter(const Shape& sample, std::int64_t samples, AugmentOptions options);

  bool enabled() const {
    return options_.random_crop || options_.horizontal_flip;
  }
  /// Draws epoch `epoch`'s values for every sample.
  void start_epoch(std::int64_t epoch);
  /// Sample `index`'s draws in the current epoch.
  SampleAugment draws(std::int64_t index) const;
  /// Augments `batch` [n, C, H, W] in place, row i being dataset sample
  /// indices[i]. ShapeError when the shapes disagree.
  void apply(TensorView batch, std::span<const std::int64_t> indices) const;

 private:
  void apply_one(float* sample, const SampleAugment& a) const;

  Shape sample_;
  std::int64_t samples_ = 0;
  AugmentOptions options_;
  std::vector<SampleAugment> draws_;
};

}  // namespace initforge
