// SPDX-License-Identifier: Apache-2.0
// Portable one-lane kernel; built with -ffp-contract=off so that only the
// explicit std::fma calls fuse, exactly as in the vector kernels.
#include <bit>
#include <cmath>
#include <cstdint>

#include "framework/core/rng/philox_kernel_impl.h"
#include "framework/core/rng/philox_kernels.h"

namespace initforge::philox {
namespace {

struct ScalarOps {
  static constexpr int kWidth = 1;
  using I = std::uint32_t;
  using F = float;
  using M = bool;

  static I set1(std::uint32_t x) {
    return x;
  }
  static F set1f(float x) {
    return x;
  }
  static I iota() {
    return 0;
  }
  static I add(I a, I b) {
    return a + b;
  }
  static I sub(I a, I b) {
    return a - b;
  }
  static I band(I a, I b) {
    return a & b;
  }
  static I bor(I a, I b) {
    return a | b;
  }
  static I bxor(I a, I b) {
    return a ^ b;
  }
  static I bxor3(I a, I b, I c) {
    return a ^ b ^ c;
  }
  static I bandnot(I m, I b) {  // ~m & b
    return ~m & b;
  }
  template <int N>
  static I srl(I a) {
    return a >> N;
  }
  template <int N>
  static I sll(I a) {
    return a << N;
  }
  static void mulhilo(I a, std::uint32_t m, I& hi, I& lo) {
    const std::uint64_t p = std::uint64_t{a} * m;
    hi = static_cast<I>(p >> 32);
    lo = static_cast<I>(p);
  }
  static F cvt(I a) {  // signed conversion, as cvtdq2ps
    return static_cast<F>(static_cast<std::int32_t>(a));
  }
  static F as_f(I a) {
    return std::bit_cast<F>(a);
  }
  static I as_i(F a) {
    return std::bit_cast<I>(a);
  }
  static F add(F a, F b) {
    return a + b;
  }
  static F sub(F a, F b) {
    return a - b;
  }
  static F mul(F a, F b) {
    return a * b;
  }
  static F fma(F a, F b, F c) {
    return std::fma(a, b, c);
  }
  static F sqrt(F a) {
    return std::sqrt(a);
  }
  static F min(F a, F b) {  // minps semantics: a < b ? a : b
    return a < b ? a : b;
  }
  static F max(F a, F b) {  // maxps semantics: a > b ? a : b
    return a > b ? a : b;
  }
  static M lt(F a, F b) {
    return a < b;
  }
  static M odd(I a) {
    return (a & 1u) != 0;
  }
  static F select(M m, F a, F b) {
    return m ? a : b;
  }
  static bool all(M m) {  // every lane of the mask set
    return m;
  }
  static void store(float* p, F v) {
    *p = v;
  }
  static void store(std::uint32_t* p, I v) {
    *p = v;
  }
  // Non-temporal stores (p aligned to the vector); fence() orders them.
  static void stream(float* p, F v) {
    *p = v;
  }
  static void stream(std::uint32_t* p, I v) {
    *p = v;
  }
  static void fence() {}
};

}  // namespace

void fill_groups_scalar(
    const KernelArgs& args,
    std::uint64_t first_group,
    std::size_t groups,
    void* out) {
  impl::fill_groups<ScalarOps>(args, first_group, groups, out);
}

void philox4x32_10(
    const std::uint32_t counter[4],
    const std::uint32_t key[2],
    std::uint32_t out[4]) {
  std::uint32_t x[4];
  impl::philox10<ScalarOps>(
      counter[0], counter[1], counter[2], counter[3], key[0], key[1], x);
  for (int i = 0; i < 4; ++i) out[i] = x[i];
}

}  // namespace initforge::philox
