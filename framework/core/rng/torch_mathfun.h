// SPDX-License-Identifier: Apache-2.0
#pragma once

// One-lane ports of PyTorch 1.13's float math for the torch generator:
// log256_ps / sincos256_ps of aten/src/ATen/native/cpu/avx_mathfun.h
// (Pommier / Garberoglio, zlib licence: altered source, plainly marked so:
// scalar rewrite of the AVX code) and calc_erfinv<float> of ATen/native/Math.h
// (Pavlis' rational approximation + two Newton steps).
//
// PyTorch's AVX2 kernels are compiled with -mfma and GCC's default
// -ffp-contract=fast, so some a*b+c are fused. The std::fmaf calls below are
// exactly those spots; every other operation is a plain float operation, and
// the including file is compiled with -ffp-contract=off.
//
// Included only by the kernel files (one per instruction set); internal
// linkage keeps each file's copy compiled for its own target. Compiler
// builtins stand in for the <cmath>/<bit> wrappers: an unoptimised build
// emits those as shared (COMDAT) functions, and the linker could pick a copy
// compiled for AVX2 for the portable path too.

#include <cmath>
#include <cstdint>

namespace initforge::torch_rng {
namespace {

// Constants are float arrays initialised from double literals in the source.
constexpr float kOne = 1.0F;
constexpr float kHalf = 0.5F;
constexpr float kSqrtHf = static_cast<float>(0.707106781186547524);
constexpr float kLogP[9] = {
    static_cast<float>(7.0376836292E-2),
    static_cast<float>(-1.1514610310E-1),
    static_cast<float>(1.1676998740E-1),
    static_cast<float>(-1.2420140846E-1),
    static_cast<float>(1.4249322787E-1),
    static_cast<float>(-1.6668057665E-1),
    static_cast<float>(2.0000714765E-1),
    static_cast<float>(-2.4999993993E-1),
    static_cast<float>(3.3333331174E-1)};
constexpr float kLogQ1 = static_cast<float>(-2.12194440e-4);
constexpr float kLogQ2 = static_cast<float>(0.693359375);
constexpr std::uint32_t kMinNormPos = 0x00800000U;
constexpr std::uint32_t kInvMantMask = ~0x7f800000U;

constexpr float kMinusDp1 = static_cast<float>(-0.78515625);
constexpr float kMinusDp2 = static_cast<float>(-2.4187564849853515625e-4);
constexpr float kMinusDp3 = static_cast<float>(-3.77489497744594108e-8);
constexpr float kSinP0 = static_cast<float>(-1.9515295891E-4);
constexpr float kSinP1 = static_cast<float>(8.3321608736E-3);
constexpr float kSinP2 = static_cast<float>(-1.6666654611E-1);
constexpr float kCosP0 = static_cast<float>(2.443315711809948E-005);
constexpr float kCosP1 = static_cast<float>(-1.388731625493765E-003);
constexpr float kCosP2 = static_cast<float>(4.166664568298827E-002);
constexpr float kFourOverPi = static_cast<float>(1.27323954473516);
constexpr std::uint32_t kSignMask = 0x80000000U;

// normal_fill_16_AVX2's constants: float(2*pi) and -2.
constexpr float kTwoPi = static_cast<float>(2.0 * 3.14159265358979323846);
constexpr float kMinusTwo = -2.0F;

inline std::uint32_t bits_of(float x) {
  return __builtin_bit_cast(std::uint32_t, x);
}
inline float float_of(std::uint32_t b) {
  return __builtin_bit_cast(float, b);
}

// log256_ps, one lane. Natural log; NaN for x <= 0.
inline float log_lane(float x) {
  const bool invalid = x <= 0.0F;
  const float min_norm = float_of(kMinNormPos);
  x = x > min_norm ? x : min_norm;  // _mm256_max_ps(x, min_norm)
  const std::uint32_t xb = bits_of(x);
  const auto exponent = static_cast<std::int32_t>(xb >> 23) - 0x7f;
  x = float_of((xb & kInvMantMask) | bits_of(kHalf));
  float e = static_cast<float>(exponent);
  e = e + kOne;
  const bool mask = x < kSqrtHf;
  const float tmp = mask ? x : 0.0F;
  x = x - kOne;
  e = e - (mask ? kOne : 0.0F);
  x = x + tmp;
  const float z = x * x;
  float y = kLogP[0];
  for (int k = 1; k < 9; ++k) y = std::fmaf(y, x, kLogP[k]);
  y = y * x;
  y = std::fmaf(y, z, e * kLogQ1);
  y = y - z * kHalf;
  x = std::fmaf(e, kLogQ2, x + y);
  return invalid ? float_of(bits_of(x) | 0xffffffffU) : x;
}

// sincos256_ps, one lane.
inline void sincos_lane(float x, float* s, float* c) {
  std::uint32_t sign_sin = bits_of(x) & kSignMask;
  x = float_of(bits_of(x) & ~kSignMask);
  float y = x * kFourOverPi;
  // cvttps2dq: truncation, 0x80000000 when out of range.
  std::int32_t j = y < 2147483648.0F ? static_cast<std::int32_t>(y) : INT32_MIN;
  j = static_cast<std::int32_t>(
      (static_cast<std::uint32_t>(j) + 1U) & ~static_cast<std::uint32_t>(1));
  y = static_cast<float>(j);
  const auto uj = static_cast<std::uint32_t>(j);
  const std::uint32_t swap_sin = (uj & 4U) << 29;
  const bool poly = (uj & 2U) == 0;
  x = std::fmaf(y, kMinusDp1, x);
  x = std::fmaf(y, kMinusDp2, x);
  x = std::fmaf(y, kMinusDp3, x);
  const std::uint32_t sign_cos = (~(uj - 2U) & 4U) << 29;
  sign_sin ^= swap_sin;
  const float z = x * x;
  float yc = std::fmaf(kCosP0, z, kCosP1);
  yc = std::fmaf(yc, z, kCosP2);
  yc = yc * z;
  yc = std::fmaf(yc, z, -(z * kHalf));
  yc = yc + kOne;
  float ys = std::fmaf(kSinP0, z, kSinP1);
  ys = std::fmaf(ys, z, kSinP2);
  ys = ys * z;
  ys = std::fmaf(ys, x, x);
  // The AVX code selects with and/andnot and adds the zeros back in.
  const float ysin2 = poly ? ys : 0.0F;
  const float ysin1 = poly ? 0.0F : yc;
  ys = ys - ysin2;
  yc = yc - ysin1;
  *s = float_of(bits_of(ysin1 + ysin2) ^ sign_sin);
  *c = float_of(bits_of(yc + ys) ^ sign_cos);
}

// normal_fill_16_AVX2 for one block of 16 uniforms, lane by lane.
inline void box_muller_block(float* d, float mean, float std) {
  for (int j = 0; j < 8; ++j) {
    const float u1 = kOne - d[j];
    const float u2 = d[j + 8];
    const float radius = __builtin_sqrtf(kMinusTwo * log_lane(u1));
    const float theta = kTwoPi * u2;
    float s = 0.0F;
    float c = 0.0F;
    sincos_lane(theta, &s, &c);
    d[j] = std::fmaf(radius * c, std, mean);
    d[j + 8] = std::fmaf(radius * s, std, mean);
  }
}

// calc_erfinv<float>; Horner steps fused as in the AVX2 build. erff, expf and
// logf are glibc's, like PyTorch's.
constexpr float kErfA[4] = {
    static_cast<float>(0.886226899),
    static_cast<float>(-1.645349621),
    static_cast<float>(0.914624893),
    static_cast<float>(-0.140543331)};
constexpr float kErfB[4] = {
    static_cast<float>(-2.118377725),
    static_cast<float>(1.442710462),
    static_cast<float>(-0.329097515),
    static_cast<float>(0.012229801)};
constexpr float kErfC[4] = {
    static_cast<float>(-1.970840454),
    static_cast<float>(-1.624906493),
    static_cast<float>(3.429567803),
    static_cast<float>(1.641345311)};
constexpr float kErfD[2] = {
    static_cast<float>(3.543889200), static_cast<float>(1.637067800)};
// (T)2.0 / (T)std::sqrt(pi<double>), a float division; the literal is the
// double sqrt(pi) rounds to, so no code runs at load time.
constexpr float kTwoOverSqrtPi = 2.0F / static_cast<float>(1.7724538509055159);

inline float erfinv_lane(float y) {
  const auto& a = kErfA;
  const auto& b = kErfB;
  const auto& c = kErfC;
  const auto& d = kErfD;
  const float y_abs = __builtin_fabsf(y);
  if (y_abs > 1.0F) return __builtin_nanf("");
  if (y_abs == 1.0F) {
    return __builtin_copysignf(__builtin_inff(), y);
  }
  float x = 0.0F;
  if (y_abs <= 0.7F) {
    const float z = y * y;
    const float num =
        std::fmaf(std::fmaf(std::fmaf(a[3], z, a[2]), z, a[1]), z, a[0]);
    const float dem = std::fmaf(
        std::fmaf(std::fmaf(std::fmaf(b[3], z, b[2]), z, b[1]), z, b[0]),
        z,
        1.0F);
    x = y * num / dem;
  } else {
    const float z = __builtin_sqrtf(-::logf((1.0F - y_abs) / 2.0F));
    const float num =
        std::fmaf(std::fmaf(std::fmaf(c[3], z, c[2]), z, c[1]), z, c[0]);
    const float dem = std::fmaf(std::fmaf(d[1], z, d[0]), z, 1.0F);
    x = __builtin_copysignf(num, y) / dem;
  }
  const float k = kTwoOverSqrtPi;
  x = x - (::erff(x) - y) / (k * ::expf(-x * x));
  x = x - (::erff(x) - y) / (k * ::expf(-x * x));
  return x;
}

// trunc_normal_'s erfinv_, mul_, add_, clamp_ on one element.
inline float erfinv_affine_lane(
    float y, float scale, float shift, float lo, float hi) {
  float x = erfinv_lane(y) * scale;
  x = x + shift;
  x = x < lo ? lo : x;  // std::min(std::max(x, lo), hi)
  return hi < x ? hi : x;
}

}  // namespace
}  // namespace initforge::torch_rng
