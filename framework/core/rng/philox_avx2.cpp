// SPDX-License-Identifier: Apache-2.0
// 8-lane AVX2 + FMA kernel (this file alone is built with -mavx2 -mfma).
#include <cstdint>

#include <immintrin.h>

#include "framework/core/rng/philox_kernel_impl.h"
#include "framework/core/rng/philox_kernels.h"

namespace initforge::philox {
namespace {

struct Avx2Ops {
  static constexpr int kWidth = 8;
  using I = __m256i;
  using F = __m256;
  using M = __m256;  // lanes selected by their sign bit (blendv)

  static I set1(std::uint32_t x) {
    return _mm256_set1_epi32(static_cast<int>(x));
  }
  static F set1f(float x) {
    return _mm256_set1_ps(x);
  }
  static I iota() {
    return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  }
  static I add(I a, I b) {
    return _mm256_add_epi32(a, b);
  }
  static I sub(I a, I b) {
    return _mm256_sub_epi32(a, b);
  }
  static I band(I a, I b) {
    return _mm256_and_si256(a, b);
  }
  static I bor(I a, I b) {
    return _mm256_or_si256(a, b);
  }
  static I bxor(I a, I b) {
    return _mm256_xor_si256(a, b);
  }
  static I bxor3(I a, I b, I c) {
    return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
  }
  static I bandnot(I m, I b) {
    return _mm256_andnot_si256(m, b);
  }
  template <int N>
  static I srl(I a) {
    return _mm256_srli_epi32(a, N);
  }
  template <int N>
  static I sll(I a) {
    return _mm256_slli_epi32(a, N);
  }
  // 32x32->64 products of even and odd lanes, split into hi and lo words.
  static void mulhilo(I a, std::uint32_t m, I& hi, I& lo) {
    const I mv = _mm256_set1_epi64x(static_cast<long long>(m));
    const I even = _mm256_mul_epu32(a, mv);
    const I odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), mv);
    lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  }
  static F cvt(I a) {
    return _mm256_cvtepi32_ps(a);
  }
  static F as_f(I a) {
    return _mm256_castsi256_ps(a);
  }
  static I as_i(F a) {
    return _mm256_castps_si256(a);
  }
  static F add(F a, F b) {
    return _mm256_add_ps(a, b);
  }
  static F sub(F a, F b) {
    return _mm256_sub_ps(a, b);
  }
  static F mul(F a, F b) {
    return _mm256_mul_ps(a, b);
  }
  static F fma(F a, F b, F c) {
    return _mm256_fmadd_ps(a, b, c);
  }
  static F sqrt(F a) {
    return _mm256_sqrt_ps(a);
  }
  static F min(F a, F b) {
    return _mm256_min_ps(a, b);
  }
  static F max(F a, F b) {
    return _mm256_max_ps(a, b);
  }
  static M lt(F a, F b) {
    return _mm256_cmp_ps(a, b, _CMP_LT_OQ);
  }
  static M odd(I a) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(a, 31));
  }
  static F select(M m, F a, F b) {
    return _mm256_blendv_ps(b, a, m);
  }
  static bool all(M m) {  // every lane of the mask set
    return _mm256_movemask_ps(m) == 0xFF;
  }
  static void store(float* p, F v) {
    _mm256_storeu_ps(p, v);
  }
  static void store(std::uint32_t* p, I v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
  }
  // Non-temporal stores (p aligned to the vector); fence() orders them.
  static void stream(float* p, F v) {
    _mm256_stream_ps(p, v);
  }
  static void stream(std::uint32_t* p, I v) {
    _mm256_stream_si256(reinterpret_cast<__m256i*>(p), v);
  }
  static void fence() {
    _mm_sfence();
  }
};

}  // namespace

void fill_groups_avx2(
    const KernelArgs& args,
    std::uint64_t first_group,
    std::size_t groups,
    void* out) {
  impl::fill_groups<Avx2Ops>(args, first_group, groups, out);
}

}  // namespace initforge::philox
