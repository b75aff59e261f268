// SPDX-License-Identifier: Apache-2.0
// Portable kernels of the torch generator: the reference every SIMD table
// must match bit for bit, and the fallback on CPUs without AVX2/FMA.
#include "framework/core/rng/torch_kernels.h"
#include "framework/core/rng/torch_mathfun.h"
#include "framework/core/rng/torch_mt_words.h"

namespace initforge::torch_rng {
namespace {

void twist(std::uint32_t* s) {
  for (std::size_t i = 0; i < kMtN - kMtM; ++i) {
    s[i] = twist_word(s[i], s[i + 1], s[i + kMtM]);
  }
  for (std::size_t i = kMtN - kMtM; i < kMtN - 1; ++i) {
    s[i] = twist_word(s[i], s[i + 1], s[i + kMtM - kMtN]);
  }
  s[kMtN - 1] = twist_word(s[kMtN - 1], s[0], s[kMtM - 1]);
}

void temper(const std::uint32_t* raw, std::uint32_t* dst, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = temper_word(raw[i]);
}

void uniform(
    const std::uint32_t* raw,
    float* dst,
    std::size_t n,
    float from,
    float range) {
  for (std::size_t i = 0; i < n; ++i) {
    dst[i] = std::fmaf(u24_of(temper_word(raw[i])), range, from);
  }
}

void box_muller(float* data, std::size_t blocks, float mean, float std) {
  for (std::size_t b = 0; b < blocks; ++b) {
    box_muller_block(data + 16 * b, mean, std);
  }
}

void erfinv_affine(
    float* data, std::size_t n, float scale, float shift, float lo, float hi) {
  for (std::size_t i = 0; i < n; ++i) {
    data[i] = erfinv_affine_lane(data[i], scale, shift, lo, hi);
  }
}

constexpr Kernels kScalar{
    "scalar", twist, temper, uniform, box_muller, erfinv_affine};

}  // namespace

const Kernels& scalar_kernels() {
  return kScalar;
}

const Kernels* avx2_kernels() {
  // libgcc's checks include the OS saving YMM state (XGETBV).
  static const bool ok =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok ? &kAvx2Table : nullptr;
}

const Kernels* avx512_kernels() {
  static const Kernels table = [] {
    Kernels t = kAvx2Table;
    t.name = "avx512";
    t.box_muller = kAvx512BoxMuller;
    return t;
  }();
  static const bool ok = avx2_kernels() != nullptr &&
                         __builtin_cpu_supports("avx512f") &&
                         __builtin_cpu_supports("avx512dq");
  return ok ? &table : nullptr;
}

const Kernels& best_kernels() {
  static const Kernels* const best = [] {
    if (const Kernels* k = avx512_kernels()) return k;
    if (const Kernels* k = avx2_kernels()) return k;
    return &kScalar;
  }();
  return *best;
}

float mathfun_log(float x) {
  return log_lane(x);
}

void mathfun_sincos(float x, float* s, float* c) {
  sincos_lane(x, s, c);
}

float erfinv(float y) {
  return erfinv_lane(y);
}

}  // namespace initforge::torch_rng
