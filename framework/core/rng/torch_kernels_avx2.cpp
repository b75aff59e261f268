// SPDX-License-Identifier: Apache-2.0
// AVX2+FMA kernels of the torch generator. Compiled with -mavx2 -mfma and
// reached only through avx2_kernels() after a CPU check, so nothing here may
// run at load time. log8/sincos8 are avx_mathfun.h's log256_ps/sincos256_ps
// (zlib licence; altered: FMA written out where GCC contracts PyTorch's build).
#include <immintrin.h>

#include "framework/core/rng/torch_kernels.h"
#include "framework/core/rng/torch_mathfun.h"
#include "framework/core/rng/torch_mt_words.h"

namespace initforge::torch_rng {
namespace {

inline __m256 ps(float v) {
  return _mm256_set1_ps(v);
}
inline __m256i epi(std::uint32_t v) {
  return _mm256_set1_epi32(static_cast<int>(v));
}
inline __m256i load(const std::uint32_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
inline void store(std::uint32_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

inline __m256i twist8(__m256i u, __m256i v, __m256i far) {
  const __m256i y = _mm256_or_si256(
      _mm256_and_si256(u, epi(kUpperMask)),
      _mm256_and_si256(v, epi(kLowerMask)));
  const __m256i odd =
      _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_and_si256(v, epi(1U)));
  const __m256i mag = _mm256_and_si256(odd, epi(kMatrixA));
  return _mm256_xor_si256(_mm256_xor_si256(far, _mm256_srli_epi32(y, 1)), mag);
}

// s[i] = twist(s[i], s[i+1], s[i+far]) for i in [begin, end), in order; the
// reads of a vector never overlap words written by an earlier vector.
void twist_range(
    std::uint32_t* s, std::size_t begin, std::size_t end, std::ptrdiff_t far) {
  std::size_t i = begin;
  for (; i + 8 <= end; i += 8) {
    store(s + i, twist8(load(s + i), load(s + i + 1), load(s + i + far)));
  }
  for (; i < end; ++i) s[i] = twist_word(s[i], s[i + 1], s[i + far]);
}

void twist(std::uint32_t* s) {
  constexpr auto kM = static_cast<std::ptrdiff_t>(kMtM);
  constexpr auto kN = static_cast<std::ptrdiff_t>(kMtN);
  twist_range(s, 0, kMtN - kMtM, kM);
  twist_range(s, kMtN - kMtM, kMtN - 1, kM - kN);
  s[kMtN - 1] = twist_word(s[kMtN - 1], s[0], s[kMtM - 1]);
}

inline __m256i temper8(__m256i y) {
  y = _mm256_xor_si256(y, _mm256_srli_epi32(y, 11));
  y = _mm256_xor_si256(
      y, _mm256_and_si256(_mm256_slli_epi32(y, 7), epi(0x9d2c5680U)));
  y = _mm256_xor_si256(
      y, _mm256_and_si256(_mm256_slli_epi32(y, 15), epi(0xefc60000U)));
  return _mm256_xor_si256(y, _mm256_srli_epi32(y, 18));
}

void temper(const std::uint32_t* raw, std::uint32_t* dst, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) store(dst + i, temper8(load(raw + i)));
  for (; i < n; ++i) dst[i] = temper_word(raw[i]);
}

void uniform(
    const std::uint32_t* raw,
    float* dst,
    std::size_t n,
    float from,
    float range) {
  const __m256 vfrom = ps(from);
  const __m256 vrange = ps(range);
  const __m256 scale = ps(5.9604644775390625e-8F);  // 2^-24
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i w = _mm256_and_si256(temper8(load(raw + i)), epi(0xffffffU));
    const __m256 x = _mm256_mul_ps(_mm256_cvtepi32_ps(w), scale);
    _mm256_storeu_ps(dst + i, _mm256_fmadd_ps(x, vrange, vfrom));
  }
  for (; i < n; ++i) {
    dst[i] = std::fmaf(u24_of(temper_word(raw[i])), range, from);
  }
}

// log256_ps with GCC's contractions made explicit.
inline __m256 log8(__m256 x) {
  const __m256 one = ps(kOne);
  const __m256 invalid = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LE_OS);
  x = _mm256_max_ps(x, _mm256_castsi256_ps(epi(kMinNormPos)));
  __m256i imm0 = _mm256_srli_epi32(_mm256_castps_si256(x), 23);
  x = _mm256_and_ps(x, _mm256_castsi256_ps(epi(kInvMantMask)));
  x = _mm256_or_ps(x, ps(kHalf));
  imm0 = _mm256_sub_epi32(imm0, epi(0x7fU));
  __m256 e = _mm256_add_ps(_mm256_cvtepi32_ps(imm0), one);
  const __m256 mask = _mm256_cmp_ps(x, ps(kSqrtHf), _CMP_LT_OS);
  const __m256 tmp = _mm256_and_ps(x, mask);
  x = _mm256_sub_ps(x, one);
  e = _mm256_sub_ps(e, _mm256_and_ps(one, mask));
  x = _mm256_add_ps(x, tmp);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 y = ps(kLogP[0]);
  for (int k = 1; k < 9; ++k) y = _mm256_fmadd_ps(y, x, ps(kLogP[k]));
  y = _mm256_mul_ps(y, x);
  y = _mm256_fmadd_ps(y, z, _mm256_mul_ps(e, ps(kLogQ1)));
  y = _mm256_sub_ps(y, _mm256_mul_ps(z, ps(kHalf)));
  x = _mm256_fmadd_ps(e, ps(kLogQ2), _mm256_add_ps(x, y));
  return _mm256_or_ps(x, invalid);
}

// sincos256_ps with GCC's contractions made explicit.
inline void sincos8(__m256 x, __m256* s, __m256* c) {
  const __m256 sign_mask = _mm256_castsi256_ps(epi(kSignMask));
  __m256 sign_sin = _mm256_and_ps(x, sign_mask);
  x = _mm256_andnot_ps(sign_mask, x);
  __m256i j = _mm256_cvttps_epi32(_mm256_mul_ps(x, ps(kFourOverPi)));
  j = _mm256_and_si256(_mm256_add_epi32(j, epi(1U)), epi(~1U));
  const __m256 y = _mm256_cvtepi32_ps(j);
  const __m256 swap_sin =
      _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_and_si256(j, epi(4U)), 29));
  const __m256 poly = _mm256_castsi256_ps(
      _mm256_cmpeq_epi32(_mm256_and_si256(j, epi(2U)), _mm256_setzero_si256()));
  x = _mm256_fmadd_ps(y, ps(kMinusDp1), x);
  x = _mm256_fmadd_ps(y, ps(kMinusDp2), x);
  x = _mm256_fmadd_ps(y, ps(kMinusDp3), x);
  const __m256i jc = _mm256_andnot_si256(_mm256_sub_epi32(j, epi(2U)), epi(4U));
  const __m256 sign_cos = _mm256_castsi256_ps(_mm256_slli_epi32(jc, 29));
  sign_sin = _mm256_xor_ps(sign_sin, swap_sin);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 yc = _mm256_fmadd_ps(ps(kCosP0), z, ps(kCosP1));
  yc = _mm256_fmadd_ps(yc, z, ps(kCosP2));
  yc = _mm256_mul_ps(yc, z);
  yc = _mm256_fmsub_ps(yc, z, _mm256_mul_ps(z, ps(kHalf)));
  yc = _mm256_add_ps(yc, ps(kOne));
  __m256 ys = _mm256_fmadd_ps(ps(kSinP0), z, ps(kSinP1));
  ys = _mm256_fmadd_ps(ys, z, ps(kSinP2));
  ys = _mm256_mul_ps(ys, z);
  ys = _mm256_fmadd_ps(ys, x, x);
  const __m256 ysin2 = _mm256_and_ps(poly, ys);
  const __m256 ysin1 = _mm256_andnot_ps(poly, yc);
  ys = _mm256_sub_ps(ys, ysin2);
  yc = _mm256_sub_ps(yc, ysin1);
  *s = _mm256_xor_ps(_mm256_add_ps(ysin1, ysin2), sign_sin);
  *c = _mm256_xor_ps(_mm256_add_ps(yc, ys), sign_cos);
}

void box_muller(float* data, std::size_t blocks, float mean, float std) {
  const __m256 vmean = ps(mean);
  const __m256 vstd = ps(std);
  for (std::size_t b = 0; b < blocks; ++b) {
    float* d = data + 16 * b;
    const __m256 u1 = _mm256_sub_ps(ps(kOne), _mm256_loadu_ps(d));
    const __m256 u2 = _mm256_loadu_ps(d + 8);
    const __m256 radius =
        _mm256_sqrt_ps(_mm256_mul_ps(ps(kMinusTwo), log8(u1)));
    __m256 s;
    __m256 c;
    sincos8(_mm256_mul_ps(ps(kTwoPi), u2), &s, &c);
    _mm256_storeu_ps(d, _mm256_fmadd_ps(_mm256_mul_ps(radius, c), vstd, vmean));
    _mm256_storeu_ps(
        d + 8, _mm256_fmadd_ps(_mm256_mul_ps(radius, s), vstd, vmean));
  }
}

// calc_erfinv<float> on 8 lanes. Inputs come from uniform_, so never NaN.
inline __m256 erfinv8(__m256 y) {
  const __m256 sign = ps(-0.0F);
  const __m256 one = ps(1.0F);
  const __m256 y_abs = _mm256_andnot_ps(sign, y);
  const __m256 central = _mm256_cmp_ps(y_abs, ps(0.7F), _CMP_LE_OQ);
  const __m256 z = _mm256_mul_ps(y, y);
  __m256 num = _mm256_fmadd_ps(ps(kErfA[3]), z, ps(kErfA[2]));
  num = _mm256_fmadd_ps(_mm256_fmadd_ps(num, z, ps(kErfA[1])), z, ps(kErfA[0]));
  __m256 dem = _mm256_fmadd_ps(ps(kErfB[3]), z, ps(kErfB[2]));
  dem = _mm256_fmadd_ps(_mm256_fmadd_ps(dem, z, ps(kErfB[1])), z, ps(kErfB[0]));
  dem = _mm256_fmadd_ps(dem, z, one);
  __m256 x = _mm256_div_ps(_mm256_mul_ps(y, num), dem);
  if (_mm256_movemask_ps(central) != 0xff) {
    // Tails: z = sqrt(-logf((1 - |y|) / 2)) with glibc's logf per lane.
    alignas(32) float t[8];
    _mm256_store_ps(t, _mm256_mul_ps(_mm256_sub_ps(one, y_abs), ps(0.5F)));
    for (float& v : t) v = -::logf(v);
    const __m256 zt = _mm256_sqrt_ps(_mm256_load_ps(t));
    __m256 numt = _mm256_fmadd_ps(ps(kErfC[3]), zt, ps(kErfC[2]));
    numt = _mm256_fmadd_ps(
        _mm256_fmadd_ps(numt, zt, ps(kErfC[1])), zt, ps(kErfC[0]));
    const __m256 demt = _mm256_fmadd_ps(
        _mm256_fmadd_ps(ps(kErfD[1]), zt, ps(kErfD[0])), zt, one);
    const __m256 signed_numt =
        _mm256_or_ps(_mm256_andnot_ps(sign, numt), _mm256_and_ps(sign, y));
    x = _mm256_blendv_ps(_mm256_div_ps(signed_numt, demt), x, central);
  }
  const __m256 k = ps(kTwoOverSqrtPi);
  for (int step = 0; step < 2; ++step) {
    // x -= (erff(x) - y) / (k * expf(-x * x)), glibc per lane.
    alignas(32) float xs[8];
    alignas(32) float e[8];
    _mm256_store_ps(xs, x);
    _mm256_store_ps(e, _mm256_xor_ps(_mm256_mul_ps(x, x), sign));
    for (int j = 0; j < 8; ++j) {
      xs[j] = ::erff(xs[j]);
      e[j] = ::expf(e[j]);
    }
    const __m256 num_n = _mm256_sub_ps(_mm256_load_ps(xs), y);
    const __m256 den_n = _mm256_mul_ps(k, _mm256_load_ps(e));
    x = _mm256_sub_ps(x, _mm256_div_ps(num_n, den_n));
  }
  // |y| == 1 gives +-inf, |y| > 1 NaN (calc_erfinv returns early for both).
  const __m256 inf = _mm256_or_ps(ps(INFINITY), _mm256_and_ps(sign, y));
  x = _mm256_blendv_ps(x, inf, _mm256_cmp_ps(y_abs, one, _CMP_EQ_OQ));
  return _mm256_blendv_ps(
      x, ps(__builtin_nanf("")), _mm256_cmp_ps(y_abs, one, _CMP_GT_OQ));
}

void erfinv_affine(
    float* data, std::size_t n, float scale, float shift, float lo, float hi) {
  const __m256 vlo = ps(lo);
  const __m256 vhi = ps(hi);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 x = erfinv8(_mm256_loadu_ps(data + i));
    x = _mm256_add_ps(_mm256_mul_ps(x, ps(scale)), ps(shift));
    x = _mm256_blendv_ps(x, vlo, _mm256_cmp_ps(x, vlo, _CMP_LT_OQ));
    x = _mm256_blendv_ps(x, vhi, _mm256_cmp_ps(vhi, x, _CMP_LT_OQ));
    _mm256_storeu_ps(data + i, x);
  }
  for (; i < n; ++i) {
    data[i] = erfinv_affine_lane(data[i], scale, shift, lo, hi);
  }
}

}  // namespace

constinit const Kernels kAvx2Table{
    "avx2", twist, temper, uniform, box_muller, erfinv_affine};

}  // namespace initforge::torch_rng
