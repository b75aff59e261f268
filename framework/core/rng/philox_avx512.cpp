// SPDX-License-Identifier: Apache-2.0
// 16-lane AVX-512F kernel (this file alone is built with -mavx512f -mfma).
#include <cstdint>

#include <immintrin.h>

#include "framework/core/rng/philox_kernel_impl.h"
#include "framework/core/rng/philox_kernels.h"

namespace initforge::philox {
namespace {

struct Avx512Ops {
  static constexpr int kWidth = 16;
  using I = __m512i;
  using F = __m512;
  using M = __mmask16;

  static I set1(std::uint32_t x) {
    return _mm512_set1_epi32(static_cast<int>(x));
  }
  static F set1f(float x) {
    return _mm512_set1_ps(x);
  }
  static I iota() {
    return _mm512_setr_epi32(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  }
  static I add(I a, I b) {
    return _mm512_add_epi32(a, b);
  }
  static I sub(I a, I b) {
    return _mm512_sub_epi32(a, b);
  }
  static I band(I a, I b) {
    return _mm512_and_si512(a, b);
  }
  static I bor(I a, I b) {
    return _mm512_or_si512(a, b);
  }
  static I bxor(I a, I b) {
    return _mm512_xor_si512(a, b);
  }
  static I bxor3(I a, I b, I c) {
    return _mm512_ternarylogic_epi32(a, b, c, 0x96);
  }
  static I bandnot(I m, I b) {
    return _mm512_andnot_si512(m, b);
  }
  template <int N>
  static I srl(I a) {
    return _mm512_srli_epi32(a, N);
  }
  template <int N>
  static I sll(I a) {
    return _mm512_slli_epi32(a, N);
  }
  // 32x32->64 products of even and odd lanes, split into hi and lo words.
  static void mulhilo(I a, std::uint32_t m, I& hi, I& lo) {
    const I mv = _mm512_set1_epi64(static_cast<long long>(m));
    const I even = _mm512_mul_epu32(a, mv);
    const I odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), mv);
    // Swap the dword pairs of one product into the other's free lanes.
    lo = _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CDAB);
    hi = _mm512_mask_shuffle_epi32(odd, 0x5555, even, _MM_PERM_CDAB);
  }
  static F cvt(I a) {
    return _mm512_cvtepi32_ps(a);
  }
  static F as_f(I a) {
    return _mm512_castsi512_ps(a);
  }
  static I as_i(F a) {
    return _mm512_castps_si512(a);
  }
  static F add(F a, F b) {
    return _mm512_add_ps(a, b);
  }
  static F sub(F a, F b) {
    return _mm512_sub_ps(a, b);
  }
  static F mul(F a, F b) {
    return _mm512_mul_ps(a, b);
  }
  static F fma(F a, F b, F c) {
    return _mm512_fmadd_ps(a, b, c);
  }
  static F sqrt(F a) {
    return _mm512_sqrt_ps(a);
  }
  static F min(F a, F b) {
    return _mm512_min_ps(a, b);
  }
  static F max(F a, F b) {
    return _mm512_max_ps(a, b);
  }
  static M lt(F a, F b) {
    return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ);
  }
  static M odd(I a) {
    return _mm512_test_epi32_mask(a, _mm512_set1_epi32(1));
  }
  static F select(M m, F a, F b) {
    return _mm512_mask_blend_ps(m, b, a);
  }
  static bool all(M m) {  // every lane of the mask set
    return m == 0xFFFF;
  }
  static void store(float* p, F v) {
    _mm512_storeu_ps(p, v);
  }
  static void store(std::uint32_t* p, I v) {
    _mm512_storeu_si512(p, v);
  }
  // Non-temporal stores (p aligned to the vector); fence() orders them.
  static void stream(float* p, F v) {
    _mm512_stream_ps(p, v);
  }
  static void stream(std::uint32_t* p, I v) {
    _mm512_stream_si512(reinterpret_cast<__m512i*>(p), v);
  }
  static void fence() {
    _mm_sfence();
  }
};

}  // namespace

void fill_groups_avx512(
    const KernelArgs& args,
    std::uint64_t first_group,
    std::size_t groups,
    void* out) {
  impl::fill_groups<Avx512Ops>(args, first_group, groups, out);
}

}  // namespace initforge::philox
