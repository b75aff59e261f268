// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/dropout_mask.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>
#include <span>

#include "framework/core/generator.h"

namespace initforge::layers_detail {
namespace {

// Words per philox call: 16 KiB, so they are compared while still in L1.
constexpr std::size_t kChunk = 4096;
// Shorter passes are not worth waking the OpenMP team.
constexpr std::size_t kParallelMin = std::size_t{1} << 15;

std::int64_t chunks_of(std::size_t n) {
  return static_cast<std::int64_t>((n + kChunk - 1) / kChunk);
}

static_assert(kMaskKept >> 1 == 1 && kMaskDropped >> 1 == 0);

// Branch-free (bit selects), so it vectorizes under -ftrapping-math.
template <bool kAffine>
void apply_range(
    const float* in,
    const std::uint8_t* mask,
    float* out,
    std::size_t n,
    const MaskScale& s) {
  const auto bits = [](float f) { return std::bit_cast<std::uint32_t>(f); };
  const std::uint32_t keep_mul = bits(s.keep_mul);
  const std::uint32_t keep_add = bits(s.keep_add);
  const std::uint32_t drop_add = bits(s.drop_add);
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    // All ones for a kept element / a real (not padding) one, else 0.
    const std::uint32_t kept = 0u - static_cast<std::uint32_t>(mask[i] >> 1);
    const std::uint32_t real = 0u - static_cast<std::uint32_t>(mask[i] != 0);
    float y = in[i] * std::bit_cast<float>(keep_mul & kept);
    if constexpr (kAffine) {
      y = y + std::bit_cast<float>((keep_add & kept) | (drop_add & ~kept));
    }
    out[i] = std::bit_cast<float>(std::bit_cast<std::uint32_t>(y) & real);
  }
}

}  // namespace

std::uint32_t keep_threshold(double keep) {
  const double t = std::nearbyint(std::ldexp(keep, 32));
  return static_cast<std::uint32_t>(std::clamp(t, 0.0, 4294967295.0));
}

void draw_mask(
    std::uint64_t seed,
    const std::string& stream,
    std::uint32_t threshold,
    std::uint8_t* out,
    std::size_t n) {
  const std::int64_t chunks = chunks_of(n);
#pragma omp parallel if (n >= kParallelMin)
  {
    // One source per thread: RandomSource does not promise thread safety.
    const std::unique_ptr<RandomSource> source =
        RandomSource::create(RngKind::Philox, seed);
    alignas(64) std::uint32_t words[kChunk];
#pragma omp for schedule(static)
    for (std::int64_t c = 0; c < chunks; ++c) {
      const std::size_t first = static_cast<std::size_t>(c) * kChunk;
      const std::size_t count = std::min(kChunk, n - first);
      // A generator at element offset `first` gives exactly those words of
      // the whole-tensor draw (the philox contract), so chunks can be split.
      source->generator_for(stream, static_cast<std::int64_t>(first))
          ->random_u32(std::span(words, count));
      std::uint8_t* dst = out + first;
#pragma omp simd
      for (std::size_t i = 0; i < count; ++i) {
        dst[i] = words[i] < threshold ? kMaskKept : kMaskDropped;
      }
    }
  }
}

void apply_mask(
    const float* in,
    const std::uint8_t* mask,
    float* out,
    std::size_t n,
    const MaskScale& scale) {
  const std::int64_t chunks = chunks_of(n);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (std::int64_t c = 0; c < chunks; ++c) {
    const std::size_t first = static_cast<std::size_t>(c) * kChunk;
    const std::size_t count = std::min(kChunk, n - first);
    if (scale.affine) {
      apply_range<true>(in + first, mask + first, out + first, count, scale);
    } else {
      apply_range<false>(in + first, mask + first, out + first, count, scale);
    }
  }
}

}  // namespace initforge::layers_detail
