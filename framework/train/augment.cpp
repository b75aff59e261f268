// SPDX-License-Identifier: Apache-2.0
#include "framework/train/augment.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/core/generator.h"

namespace initforge {
namespace {

constexpr std::int64_t kWordsPerSample = 4;  // top, left, flip, spare

// A uniform integer in [0, range) from a 32-bit word (multiply-shift; the
// bias, range / 2^32, is far below what any test or run could see).
std::int64_t bounded(std::uint32_t word, std::uint64_t range) {
  return static_cast<std::int64_t>((std::uint64_t{word} * range) >> 32);
}

}  // namespace

Augmenter::Augmenter(
    const Shape& sample, std::int64_t samples, AugmentOptions options)
    : sample_(sample), samples_(samples), options_(std::move(options)) {
  if (sample.rank() != 3) {
    throw ShapeError(
        "augment: " +
        expected_got("image samples [C, H, W]", sample.to_string()));
  }
  if (static_cast<std::int64_t>(options_.fill.size()) != sample[0]) {
    throw InvalidArgument(
        "augment: " +
        expected_got(
            "one fill value per channel (" + std::to_string(sample[0]) + ")",
            std::to_string(options_.fill.size())));
  }
  if (options_.padding < 0) {
    throw InvalidArgument(with_got(
        "augment: padding must be >= 0", std::to_string(options_.padding)));
  }
  if (!options_.random_crop) options_.padding = 0;
}

void Augmenter::start_epoch(std::int64_t epoch) {
  if (!enabled()) return;
  std::vector<std::uint32_t> words(
      static_cast<std::size_t>(samples_ * kWordsPerSample));
  RandomSource::create(RngKind::Philox, options_.seed)
      ->generator_for("augment.epoch" + std::to_string(epoch))
      ->random_u32(words);
  const auto range = static_cast<std::uint64_t>(2 * options_.padding + 1);
  draws_.resize(static_cast<std::size_t>(samples_));
  for (std::size_t k = 0; k < draws_.size(); ++k) {
    const std::uint32_t* w = words.data() + k * kWordsPerSample;
    draws_[k] = {
        .top = bounded(w[0], range),
        .left = bounded(w[1], range),
        .flip = options_.horizontal_flip && (w[2] >> 31) != 0};
  }
}

SampleAugment Augmenter::draws(std::int64_t index) const {
  if (index < 0 || index >= static_cast<std::int64_t>(draws_.size())) {
    throw InvalidArgument(
        "augment: sample index " + std::to_string(index) +
        " out of range; expected 0.." +
        std::to_string(static_cast<std::int64_t>(draws_.size()) - 1) +
        " (start_epoch first)");
  }
  return draws_[static_cast<std::size_t>(index)];
}

void Augmenter::apply_one(float* sample, const SampleAugment& a) const {
  const std::int64_t h = sample_[1];
  const std::int64_t w = sample_[2];
  // Output pixel (y, x) is input pixel (y + dy, x + dx), or fill outside.
  const std::int64_t dy = a.top - options_.padding;
  const std::int64_t dx = a.left - options_.padding;
  const std::int64_t first = std::max<std::int64_t>(0, -dx);
  const std::int64_t len = std::max<std::int64_t>(0, w - std::abs(dx));
  for (std::int64_t c = 0; c < sample_[0]; ++c) {
    float* plane = sample + c * h * w;
    const float fill = options_.fill[static_cast<std::size_t>(c)];
    // In place: read rows before they are overwritten (downwards when the
    // source lies below, upwards when above).
    for (std::int64_t i = 0; i < h; ++i) {
      const std::int64_t y = dy >= 0 ? i : h - 1 - i;
      float* row = plane + y * w;
      const std::int64_t src = y + dy;
      if (src < 0 || src >= h) {
        std::fill(row, row + w, fill);
      } else {
        if (len > 0 && (dx != 0 || dy != 0)) {
          std::memmove(
              row + first,
              plane + src * w + first + dx,
              static_cast<std::size_t>(len) * sizeof(float));
        }
        std::fill(row, row + std::min(first, w), fill);
        std::fill(row + std::min(first + len, w), row + w, fill);
      }
      if (a.flip) std::reverse(row, row + w);
    }
  }
}

void Augmenter::apply(
    TensorView batch, std::span<const std::int64_t> indices) const {
  if (!enabled()) return;
  const Shape& s = batch.shape();
  const auto n = static_cast<std::int64_t>(indices.size());
  if (s.rank() != 4 || s[0] != n || s[1] != sample_[0] || s[2] != sample_[1] ||
      s[3] != sample_[2]) {
    throw ShapeError(
        "augment: " +
        expected_got(
            "a batch [" + std::to_string(n) + ", " +
                std::to_string(sample_[0]) + ", " + std::to_string(sample_[1]) +
                ", " + std::to_string(sample_[2]) + "]",
            s.to_string()));
  }
  const std::int64_t numel = sample_.numel();
  float* data = batch.data().data();
  for (const std::int64_t k : indices) draws(k);  // throws before threads
#pragma omp parallel for schedule(static) if (n * numel >= (1 << 16))
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k =
        static_cast<std::size_t>(indices[static_cast<std::size_t>(i)]);
    apply_one(data + i * numel, draws_[k]);
  }
}

}  // namespace initforge
