// SPDX-License-Identifier: Apache-2.0
// AVX-512 Box-Muller for the torch generator: avx_mathfun.h's log256_ps /
// sincos256_ps (zlib licence; altered: 16 lanes, FMA written out where GCC
// contracts PyTorch's AVX2 build) on two blocks of 16 at a time. Every lane
// does exactly the AVX2 kernel's operations, so the bits are identical.
// Compiled with -mavx512f -mfma; reached only after a run-time CPU check.
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_*() into the builtins
// and warn about it when inlined (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "framework/core/rng/torch_kernels.h"
#include "framework/core/rng/torch_mathfun.h"

namespace initforge::torch_rng {
namespace {

inline __m512 ps(float v) {
  return _mm512_set1_ps(v);
}
inline __m512i epi(std::uint32_t v) {
  return _mm512_set1_epi32(static_cast<int>(v));
}
inline __m512 mask_and(__mmask16 m, __m512 v) {
  return _mm512_maskz_mov_ps(m, v);
}

inline __m512 log16(__m512 x) {
  const __m512 one = ps(kOne);
  const __mmask16 invalid =
      _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LE_OS);
  x = _mm512_max_ps(x, _mm512_castsi512_ps(epi(kMinNormPos)));
  __m512i imm0 = _mm512_srli_epi32(_mm512_castps_si512(x), 23);
  x = _mm512_castsi512_ps(_mm512_or_si512(
      _mm512_and_si512(_mm512_castps_si512(x), epi(kInvMantMask)),
      _mm512_castps_si512(ps(kHalf))));
  imm0 = _mm512_sub_epi32(imm0, epi(0x7fU));
  __m512 e = _mm512_add_ps(_mm512_cvtepi32_ps(imm0), one);
  const __mmask16 mask = _mm512_cmp_ps_mask(x, ps(kSqrtHf), _CMP_LT_OS);
  const __m512 tmp = mask_and(mask, x);
  x = _mm512_sub_ps(x, one);
  e = _mm512_sub_ps(e, mask_and(mask, one));
  x = _mm512_add_ps(x, tmp);
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 y = ps(kLogP[0]);
  for (int k = 1; k < 9; ++k) y = _mm512_fmadd_ps(y, x, ps(kLogP[k]));
  y = _mm512_mul_ps(y, x);
  y = _mm512_fmadd_ps(y, z, _mm512_mul_ps(e, ps(kLogQ1)));
  y = _mm512_sub_ps(y, _mm512_mul_ps(z, ps(kHalf)));
  x = _mm512_fmadd_ps(e, ps(kLogQ2), _mm512_add_ps(x, y));
  // NaN (all ones) for x <= 0, as the AVX code's or with the compare mask.
  return _mm512_mask_mov_ps(x, invalid, _mm512_castsi512_ps(epi(~0U)));
}

inline void sincos16(__m512 x, __m512* s, __m512* c) {
  const __m512i sign_mask = epi(kSignMask);
  __m512i sign_sin = _mm512_and_si512(_mm512_castps_si512(x), sign_mask);
  x = _mm512_castsi512_ps(
      _mm512_andnot_si512(sign_mask, _mm512_castps_si512(x)));
  __m512i j = _mm512_cvttps_epi32(_mm512_mul_ps(x, ps(kFourOverPi)));
  j = _mm512_and_si512(_mm512_add_epi32(j, epi(1U)), epi(~1U));
  const __m512 y = _mm512_cvtepi32_ps(j);
  const __m512i swap_sin = _mm512_slli_epi32(_mm512_and_si512(j, epi(4U)), 29);
  const __mmask16 poly = _mm512_cmpeq_epi32_mask(
      _mm512_and_si512(j, epi(2U)), _mm512_setzero_si512());
  x = _mm512_fmadd_ps(y, ps(kMinusDp1), x);
  x = _mm512_fmadd_ps(y, ps(kMinusDp2), x);
  x = _mm512_fmadd_ps(y, ps(kMinusDp3), x);
  const __m512i jc = _mm512_andnot_si512(_mm512_sub_epi32(j, epi(2U)), epi(4U));
  const __m512i sign_cos = _mm512_slli_epi32(jc, 29);
  sign_sin = _mm512_xor_si512(sign_sin, swap_sin);
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 yc = _mm512_fmadd_ps(ps(kCosP0), z, ps(kCosP1));
  yc = _mm512_fmadd_ps(yc, z, ps(kCosP2));
  yc = _mm512_mul_ps(yc, z);
  yc = _mm512_fmsub_ps(yc, z, _mm512_mul_ps(z, ps(kHalf)));
  yc = _mm512_add_ps(yc, ps(kOne));
  __m512 ys = _mm512_fmadd_ps(ps(kSinP0), z, ps(kSinP1));
  ys = _mm512_fmadd_ps(ys, z, ps(kSinP2));
  ys = _mm512_mul_ps(ys, z);
  ys = _mm512_fmadd_ps(ys, x, x);
  const __m512 ysin2 = mask_and(poly, ys);
  const __m512 ysin1 = mask_and(static_cast<__mmask16>(~poly), yc);
  ys = _mm512_sub_ps(ys, ysin2);
  yc = _mm512_sub_ps(yc, ysin1);
  *s = _mm512_castsi512_ps(_mm512_xor_si512(
      _mm512_castps_si512(_mm512_add_ps(ysin1, ysin2)), sign_sin));
  *c = _mm512_castsi512_ps(
      _mm512_xor_si512(_mm512_castps_si512(_mm512_add_ps(yc, ys)), sign_cos));
}

// u1 = 1 - (first halves of both blocks), u2 = second halves.
inline void box_muller_pair(float* d0, float* d1, __m512 mean, __m512 std) {
  const __m512 first = _mm512_insertf32x8(
      _mm512_castps256_ps512(_mm256_loadu_ps(d0)), _mm256_loadu_ps(d1), 1);
  const __m512 second = _mm512_insertf32x8(
      _mm512_castps256_ps512(_mm256_loadu_ps(d0 + 8)),
      _mm256_loadu_ps(d1 + 8),
      1);
  const __m512 u1 = _mm512_sub_ps(ps(kOne), first);
  const __m512 radius = _mm512_sqrt_ps(_mm512_mul_ps(ps(kMinusTwo), log16(u1)));
  __m512 s;
  __m512 c;
  sincos16(_mm512_mul_ps(ps(kTwoPi), second), &s, &c);
  const __m512 n1 = _mm512_fmadd_ps(_mm512_mul_ps(radius, c), std, mean);
  const __m512 n2 = _mm512_fmadd_ps(_mm512_mul_ps(radius, s), std, mean);
  // d1 is stored first: for a lone block d1 == d0 and d0 must win.
  _mm256_storeu_ps(d1, _mm512_extractf32x8_ps(n1, 1));
  _mm256_storeu_ps(d1 + 8, _mm512_extractf32x8_ps(n2, 1));
  _mm256_storeu_ps(d0, _mm512_castps512_ps256(n1));
  _mm256_storeu_ps(d0 + 8, _mm512_castps512_ps256(n2));
}

void box_muller(float* data, std::size_t blocks, float mean, float std) {
  const __m512 vmean = ps(mean);
  const __m512 vstd = ps(std);
  std::size_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    box_muller_pair(data + 16 * b, data + 16 * b + 16, vmean, vstd);
  }
  if (b < blocks) box_muller_pair(data + 16 * b, data + 16 * b, vmean, vstd);
}

}  // namespace

constinit const BoxMullerFn kAvx512BoxMuller = box_muller;

}  // namespace initforge::torch_rng
