// SPDX-License-Identifier: Apache-2.0
#pragma once

// The one definition of every philox kernel, written against a lane-ops type
// V (scalar, AVX2 or AVX-512; each defined in its own translation unit with
// internal linkage). Every kernel runs the same sequence of IEEE operations
// (add, mul, fma, sqrt, int<->float conversion, compares, bit operations), so
// all instruction sets give identical bits. Nothing here may use an
// approximate instruction (rcp, rsqrt) or libm.

#include <cstddef>
#include <cstdint>

#include "framework/core/rng/philox_kernels.h"

namespace initforge::philox::impl {

inline constexpr std::uint32_t kM0 = 0xD2511F53u;
inline constexpr std::uint32_t kM1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kW0 = 0x9E3779B9u;
inline constexpr std::uint32_t kW1 = 0xBB67AE85u;

/// Philox4x32-10 of the counters (c0 + lane, c1, c2, c3), lanes 0..W-1:
/// only word 0 differs between lanes, so the first two rounds run half of
/// their multiplications on scalars.
template <class V>
inline void philox10(
    typename V::I c0,
    std::uint32_t c1,
    std::uint32_t c2,
    std::uint32_t c3,
    std::uint32_t k0,
    std::uint32_t k1,
    typename V::I (&x)[4]) {
  using I = typename V::I;
  const auto mul = [](std::uint32_t a, std::uint32_t m, std::uint32_t& hi) {
    const std::uint64_t p = std::uint64_t{a} * m;
    hi = static_cast<std::uint32_t>(p >> 32);
    return static_cast<std::uint32_t>(p);
  };
  // Round 1: words 1..3 are lane-invariant.
  std::uint32_t hi1s;
  const std::uint32_t lo1s = mul(c2, kM1, hi1s);
  I hi0, lo0, hi1, lo1;
  V::mulhilo(c0, kM0, hi0, lo0);
  const std::uint32_t r1_0 = hi1s ^ c1 ^ k0;  // lane-invariant
  const std::uint32_t r1_1 = lo1s;            // lane-invariant
  const I r1_2 = V::bxor(hi0, V::set1(c3 ^ k1));
  const I r1_3 = lo0;
  k0 += kW0;
  k1 += kW1;
  // Round 2: words 0 and 1 are still lane-invariant.
  std::uint32_t hi0s;
  const std::uint32_t lo0s = mul(r1_0, kM0, hi0s);
  V::mulhilo(r1_2, kM1, hi1, lo1);
  I x0 = V::bxor(hi1, V::set1(r1_1 ^ k0));
  I x1 = lo1;
  I x2 = V::bxor(r1_3, V::set1(hi0s ^ k1));
  I x3 = V::set1(lo0s);
  k0 += kW0;
  k1 += kW1;
  for (int round = 2; round < 10; ++round) {
    V::mulhilo(x0, kM0, hi0, lo0);
    V::mulhilo(x2, kM1, hi1, lo1);
    x0 = V::bxor3(hi1, x1, V::set1(k0));
    x1 = lo1;
    x2 = V::bxor3(hi0, x3, V::set1(k1));
    x3 = lo0;
    k0 += kW0;
    k1 += kW1;
  }
  x[0] = x0;
  x[1] = x1;
  x[2] = x2;
  x[3] = x3;
}

/// Natural log of positive normal floats (Cephes logf polynomial, ~1 ulp).
template <class V>
inline typename V::F log(typename V::F x) {
  using F = typename V::F;
  const typename V::I bits = V::as_i(x);
  F e = V::sub(V::cvt(V::template srl<23>(bits)), V::set1f(126.0f));
  F m = V::as_f(V::bor(
      V::band(bits, V::set1(0x007FFFFFu)), V::set1(0x3F000000u)));  // [.5,1)
  const typename V::M small = V::lt(m, V::set1f(0.707106781186547524f));
  e = V::select(small, V::sub(e, V::set1f(1.0f)), e);
  m = V::sub(V::select(small, V::add(m, m), m), V::set1f(1.0f));
  const F z = V::mul(m, m);
  F y = V::set1f(7.0376836292e-2f);
  y = V::fma(y, m, V::set1f(-1.1514610310e-1f));
  y = V::fma(y, m, V::set1f(1.1676998740e-1f));
  y = V::fma(y, m, V::set1f(-1.2420140846e-1f));
  y = V::fma(y, m, V::set1f(1.4249322787e-1f));
  y = V::fma(y, m, V::set1f(-1.6668057665e-1f));
  y = V::fma(y, m, V::set1f(2.0000714765e-1f));
  y = V::fma(y, m, V::set1f(-2.4999993993e-1f));
  y = V::fma(y, m, V::set1f(3.3333331174e-1f));
  y = V::mul(V::mul(y, m), z);
  y = V::fma(e, V::set1f(-2.12194440e-4f), y);
  y = V::fma(z, V::set1f(-0.5f), y);
  return V::fma(e, V::set1f(0.693359375f), V::add(m, y));
}

/// U[from, to): fma(24-bit integer, range * 2^-24, from), which is >= from,
/// clamped to hi = the float below `to`.
template <class V>
inline typename V::F uniform(typename V::I w, const KernelArgs& a) {
  const typename V::F y = V::fma(
      V::cvt(V::template srl<8>(w)), V::set1f(a.scale), V::set1f(a.shift));
  return V::min(y, V::set1f(a.hi));
}

/// Box-Muller: radius from `wa`, angle (in quarter turns, reduced exactly in
/// integers) from `wb`; returns r*cos in `zc` and r*sin in `zs`.
template <class V>
inline void box_muller(
    typename V::I wa, typename V::I wb, typename V::F& zc, typename V::F& zs) {
  using F = typename V::F;
  using I = typename V::I;
  // u1 in (0, 1]: 31 bits, so the radius reaches 6.66 sigma.
  const F u1 = V::fma(
      V::cvt(V::template srl<1>(wa)), V::set1f(0x1p-31f), V::set1f(0x1p-32f));
  const F r2 = V::max(V::mul(log<V>(u1), V::set1f(-2.0f)), V::set1f(0.0f));
  const F r = V::sqrt(r2);
  // theta = 2 pi v / 2^24 = (q + f) pi/2, q = round(v / 2^22), f in [-.5, .5)
  const I v = V::template srl<8>(wb);
  const I q = V::template srl<1>(V::add(V::template srl<29>(wb), V::set1(1u)));
  const F f =
      V::mul(V::cvt(V::sub(v, V::template sll<22>(q))), V::set1f(0x1p-22f));
  const F f2 = V::mul(f, f);
  F s = V::set1f(1.6044118478735982e-4f);  // Taylor of sin(pi/2 f)
  s = V::fma(s, f2, V::set1f(-4.6817541353186881e-3f));
  s = V::fma(s, f2, V::set1f(7.9692626246167046e-2f));
  s = V::fma(s, f2, V::set1f(-6.4596409750624625e-1f));
  s = V::fma(s, f2, V::set1f(1.5707963267948966f));
  s = V::mul(s, f);
  F c = V::set1f(-2.5202042373060605e-5f);  // Taylor of cos(pi/2 f)
  c = V::fma(c, f2, V::set1f(9.1926027483942659e-4f));
  c = V::fma(c, f2, V::set1f(-2.0863480763352961e-2f));
  c = V::fma(c, f2, V::set1f(2.5366950790104802e-1f));
  c = V::fma(c, f2, V::set1f(-1.2337005501361697f));
  c = V::fma(c, f2, V::set1f(1.0f));
  // Rotate by q quarter turns: odd q swaps, q in {1,2} negates cos,
  // q in {2,3} negates sin (q == 4 acts as 0).
  const typename V::M odd = V::odd(q);
  const I neg_c =
      V::template sll<30>(V::band(V::add(q, V::set1(1u)), V::set1(2u)));
  const I neg_s = V::template sll<30>(V::band(q, V::set1(2u)));
  const F cq = V::as_f(V::bxor(V::as_i(V::select(odd, s, c)), neg_c));
  const F sq = V::as_f(V::bxor(V::as_i(V::select(odd, c, s)), neg_s));
  zc = V::mul(r, cq);
  zs = V::mul(r, sq);
}

/// Horner evaluation of c[0] x^(n-1) + ... + c[n-1].
template <class V, std::size_t N>
inline typename V::F horner(typename V::F x, const float (&c)[N]) {
  typename V::F y = V::set1f(c[0]);
  for (std::size_t i = 1; i < N; ++i) y = V::fma(y, x, V::set1f(c[i]));
  return y;
}

/// Truncated normal by inverse CDF. The probability is formed from the
/// nearer tail (p from Phi(alpha) upwards or 1-p from 1-Phi(beta)), and
/// erfinv (Giles 2010 single precision, plus a fitted branch for w >= 16
/// down to q = FLT_MIN) takes w = -log(4 q (1 - q)) straight from it.
template <class V>
inline typename V::F truncated(typename V::I w, const KernelArgs& a) {
  using F = typename V::F;
  static constexpr float kC1[] = {
      2.81022636e-08f,
      3.43273939e-07f,
      -3.5233877e-06f,
      -4.39150654e-06f,
      0.00021858087f,
      -0.00125372503f,
      -0.00417768164f,
      0.246640727f,
      1.50140941f};
  static constexpr float kC2[] = {
      -0.000200214257f,
      0.000100950558f,
      0.00134934322f,
      -0.00367342844f,
      0.00573950773f,
      -0.0076224613f,
      0.00943887047f,
      1.00167406f,
      2.83297682f};
  static constexpr float kC3[] = {
      2.132678034e-08f,
      -1.542317136e-07f,
      5.893750199e-07f,
      -2.672830988e-06f,
      1.146364320e-05f,
      -1.121794139e-05f,
      -5.104959710e-04f,
      1.009109616e+00f,
      6.364593506e+00f};
  const F one = V::set1f(1.0f);
  const F u = V::mul(
      V::add(V::cvt(V::template srl<9>(w)), V::set1f(0.5f)),
      V::set1f(0x1p-23f));  // (0, 1), exact
  const F v = V::sub(one, u);
  const F p_low = V::fma(u, V::set1f(a.d), V::set1f(a.pa));
  const F p_high = V::fma(v, V::set1f(a.d), V::set1f(a.qb));
  const typename V::M lower = V::lt(p_low, V::set1f(0.5f));
  F q = V::select(lower, p_low, p_high);
  q = V::max(q, V::set1f(0x1p-126f));
  const F t = V::mul(V::mul(q, V::set1f(4.0f)), V::sub(one, q));
  const F wl = V::sub(V::set1f(0.0f), log<V>(t));
  // Per lane the branch is chosen by w; the other branches are skipped when
  // no lane of the vector needs them (the common case for |x| < 2.9).
  const typename V::M in1 = V::lt(wl, V::set1f(5.0f));
  F coef = horner<V>(V::sub(wl, V::set1f(2.5f)), kC1);
  if (!V::all(in1)) {
    const F sw = V::sqrt(wl);
    const typename V::M in2 = V::lt(wl, V::set1f(16.0f));
    F tail = horner<V>(V::sub(sw, V::set1f(3.0f)), kC2);
    if (!V::all(in2)) {
      tail = V::select(in2, tail, horner<V>(V::sub(sw, V::set1f(6.5f)), kC3));
    }
    coef = V::select(in1, coef, tail);
  }
  // z = sqrt(2) * erfinv(2p - 1); negative on the lower side.
  const F y = V::sub(one, V::mul(q, V::set1f(2.0f)));
  F z = V::mul(V::mul(coef, y), V::set1f(1.41421356237309505f));
  z = V::select(lower, V::as_f(V::bxor(V::as_i(z), V::set1(0x80000000u))), z);
  const F x = V::fma(z, V::set1f(a.scale), V::set1f(a.shift));
  return V::min(V::max(x, V::set1f(a.lo)), V::set1f(a.hi));
}

/// Stores one vector; streaming stores bypass the cache for big fills.
template <class V, bool kStream, class T, class X>
inline void put(T* p, X v) {
  if constexpr (kStream) {
    V::stream(p, v);
  } else {
    V::store(p, v);
  }
}

/// Fills `groups` groups for one op. Group g holds blocks 16g .. 16g+15;
/// word j of block 16g + l is element 64g + 16j + l.
template <class V, Op kOp, bool kStream>
inline void fill_op(
    const KernelArgs& a,
    std::uint64_t first_group,
    std::size_t groups,
    void* out) {
  using I = typename V::I;
  constexpr int kW = V::kWidth;
  const I iota = V::iota();
  auto* out_u = static_cast<std::uint32_t*>(out);
  auto* out_f = static_cast<float*>(out);
  for (std::size_t g = 0; g < groups; ++g) {
    const std::uint64_t block = (first_group + g) * 16;
    for (int s = 0; s < 16; s += kW) {
      I x[4];
      philox10<V>(
          V::add(
              V::set1(
                  static_cast<std::uint32_t>(block) + static_cast<unsigned>(s)),
              iota),
          static_cast<std::uint32_t>(block >> 32),
          static_cast<std::uint32_t>(a.draw),
          static_cast<std::uint32_t>(a.draw >> 32),
          a.key[0],
          a.key[1],
          x);
      const I x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
      const std::size_t at = g * kGroupSize + static_cast<std::size_t>(s);
      if constexpr (kOp == Op::U32) {
        put<V, kStream>(out_u + at, x0);
        put<V, kStream>(out_u + at + 16, x1);
        put<V, kStream>(out_u + at + 32, x2);
        put<V, kStream>(out_u + at + 48, x3);
      } else if constexpr (kOp == Op::Uniform) {
        put<V, kStream>(out_f + at, uniform<V>(x0, a));
        put<V, kStream>(out_f + at + 16, uniform<V>(x1, a));
        put<V, kStream>(out_f + at + 32, uniform<V>(x2, a));
        put<V, kStream>(out_f + at + 48, uniform<V>(x3, a));
      } else if constexpr (kOp == Op::Normal) {
        typename V::F zc, zs;
        const typename V::F sd = V::set1f(a.scale);
        const typename V::F mu = V::set1f(a.shift);
        box_muller<V>(x0, x1, zc, zs);
        put<V, kStream>(out_f + at, V::fma(zc, sd, mu));
        put<V, kStream>(out_f + at + 16, V::fma(zs, sd, mu));
        box_muller<V>(x2, x3, zc, zs);
        put<V, kStream>(out_f + at + 32, V::fma(zc, sd, mu));
        put<V, kStream>(out_f + at + 48, V::fma(zs, sd, mu));
      } else {
        put<V, kStream>(out_f + at, truncated<V>(x0, a));
        put<V, kStream>(out_f + at + 16, truncated<V>(x1, a));
        put<V, kStream>(out_f + at + 32, truncated<V>(x2, a));
        put<V, kStream>(out_f + at + 48, truncated<V>(x3, a));
      }
    }
  }
}

/// Dispatches on the op once per call.
template <class V, bool kStream>
inline void fill_ops(
    const KernelArgs& a,
    std::uint64_t first_group,
    std::size_t groups,
    void* out) {
  switch (a.op) {
    case Op::U32:
      return fill_op<V, Op::U32, kStream>(a, first_group, groups, out);
    case Op::Uniform:
      return fill_op<V, Op::Uniform, kStream>(a, first_group, groups, out);
    case Op::Normal:
      return fill_op<V, Op::Normal, kStream>(a, first_group, groups, out);
    case Op::TruncatedNormal:
      return fill_op<V, Op::TruncatedNormal, kStream>(
          a, first_group, groups, out);
  }
}

/// Streams when asked to and `out` is aligned for it (a 64-byte aligned
/// tensor and offsets that are multiples of 16 elements).
template <class V>
inline void fill_groups(
    const KernelArgs& a,
    std::uint64_t first_group,
    std::size_t groups,
    void* out) {
  if (a.stream && reinterpret_cast<std::uintptr_t>(out) % 64 == 0) {
    fill_ops<V, true>(a, first_group, groups, out);
    V::fence();
  } else {
    fill_ops<V, false>(a, first_group, groups, out);
  }
}

}  // namespace initforge::philox::impl
