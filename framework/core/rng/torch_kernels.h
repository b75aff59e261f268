// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "framework/core/export.h"

// Internal to the torch generator; exported only so that tests can check the
// SIMD kernels against the portable ones bit for bit.
namespace initforge::torch_rng {

/// MT19937 state size (words).
inline constexpr std::size_t kStateWords = 624;

/// normal_fill_16_AVX2 on `blocks` consecutive blocks of 16 uniforms.
using BoxMullerFn =
    void (*)(float* data, std::size_t blocks, float mean, float std);

/// The bulk kernels of PyTorch 1.13's CPU streams, one table per instruction
/// set. Every entry gives identical bits in every table.
struct Kernels {
  std::string_view name;
  /// Regenerates all 624 words of an MT19937 state in place.
  void (*twist)(std::uint32_t* state);
  /// dst[i] = temper(raw[i]).
  void (*temper)(const std::uint32_t* raw, std::uint32_t* dst, std::size_t n);
  /// dst[i] = fmaf(U24(temper(raw[i])), range, from): float uniform_ (AVX2).
  void (*uniform)(
      const std::uint32_t* raw,
      float* dst,
      std::size_t n,
      float from,
      float range);
  BoxMullerFn box_muller;
  /// trunc_normal_'s tail: clamp(erfinv(y) * scale + shift, lo, hi).
  void (*erfinv_affine)(
      float* data, std::size_t n, float scale, float shift, float lo, float hi);
};

/// Portable C++ (std::fmaf at GCC's contraction points); always available.
INITFORGE_API const Kernels& scalar_kernels();

/// AVX2+FMA intrinsics, or nullptr when the CPU lacks AVX2 or FMA.
INITFORGE_API const Kernels* avx2_kernels();

/// The AVX2 table itself; defined (constant-initialised) in the AVX2 file.
/// Use avx2_kernels(), which checks the CPU first.
extern const Kernels kAvx2Table;

/// The AVX2 table with an AVX-512 Box-Muller (two blocks per step), or
/// nullptr when the CPU lacks AVX-512F/DQ (or AVX2/FMA).
INITFORGE_API const Kernels* avx512_kernels();

/// The AVX-512 Box-Muller; defined in the AVX-512 file.
extern const BoxMullerFn kAvx512BoxMuller;

/// The fastest table this CPU runs.
INITFORGE_API const Kernels& best_kernels();

/// avx_mathfun.h log256_ps / sincos256_ps for one lane (what the scalar
/// kernels use); exported for tests.
INITFORGE_API float mathfun_log(float x);
INITFORGE_API void mathfun_sincos(float x, float* s, float* c);

/// calc_erfinv<float> as the AVX2 build computes it.
INITFORGE_API float erfinv(float y);

}  // namespace initforge::torch_rng
