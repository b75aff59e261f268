// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: Dropout's mask and its elementwise pass (oneDNN 2.6 has no
// dropout). One byte per element: 0 marks a blocked layout's padding, which
// stays 0; 1 a dropped element; 2 a kept one.

#include <cstddef>
#include <cstdint>
#include <string>

namespace initforge::layers_detail {

inline constexpr std::uint8_t kMaskPadding = 0;
inline constexpr std::uint8_t kMaskDropped = 1;
inline constexpr std::uint8_t kMaskKept = 2;

/// The word below which an element is kept with probability `keep`
/// (0 < keep < 1): P(word < threshold) = threshold / 2^32, within 2^-33 of
/// `keep`.
std::uint32_t keep_threshold(double keep);

/// Mask bytes of elements [0, n) in PyTorch's (row-major) element order:
/// element i is kept when word i of the philox stream (seed, `stream`) is
/// below `threshold` (Generator::random_u32, one draw of the whole tensor).
/// Vectorized philox in chunks, on all OpenMP threads for long masks; the
/// bytes depend on nothing else (not the thread count).
void draw_mask(
    std::uint64_t seed,
    const std::string& stream,
    std::uint32_t threshold,
    std::uint8_t* out,
    std::size_t n);

/// y = x * keep_mul (+ keep_add) for a kept element, x * 0 (+ drop_add) for a
/// dropped one: PyTorch's `input * noise (+ b)`, NaN-propagating alike.
struct MaskScale {
  float keep_mul = 1.0f;
  float keep_add = 0.0f;
  float drop_add = 0.0f;
  bool affine = false;  // AlphaDropout's forward: add keep_add / drop_add
};

/// out[i] = scale(in[i], mask[i]) for i < n, and 0 where mask[i] is
/// padding; `out` may be `in`.
void apply_mask(
    const float* in,
    const std::uint8_t* mask,
    float* out,
    std::size_t n,
    const MaskScale& scale);

}  // namespace initforge::layers_detail
