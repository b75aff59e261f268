// SPDX-License-Identifier: Apache-2.0
// `fma_peak [--threads N]`: this machine's float32 FMA throughput, the
// "% of peak" the speed tables quote. Each thread runs independent chains
// of fused multiply-adds (enough in flight to cover the FMA latency) in the
// widest vectors the CPU has (AVX-512, else AVX2); prints the best of 5
// runs in GFLOP/s (one FMA = 2 FLOP).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <immintrin.h>
#include <omp.h>

namespace {

constexpr long kSteps = 20'000'000;  // per chain; 12 chains per thread

// 12 chains of `kSteps` FMAs on 16 floats; returns a value that depends on
// them all so the compiler keeps the work.
__attribute__((target("avx512f"))) float chains_avx512() {
  // Different start values: identical chains would be computed once.
  __m512 a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;
  a0 = _mm512_set1_ps(1.0f);
  a1 = _mm512_set1_ps(1.0f + 1 * 0.001f);
  a2 = _mm512_set1_ps(1.0f + 2 * 0.001f);
  a3 = _mm512_set1_ps(1.0f + 3 * 0.001f);
  a4 = _mm512_set1_ps(1.0f + 4 * 0.001f);
  a5 = _mm512_set1_ps(1.0f + 5 * 0.001f);
  a6 = _mm512_set1_ps(1.0f + 6 * 0.001f);
  a7 = _mm512_set1_ps(1.0f + 7 * 0.001f);
  a8 = _mm512_set1_ps(1.0f + 8 * 0.001f);
  a9 = _mm512_set1_ps(1.0f + 9 * 0.001f);
  a10 = _mm512_set1_ps(1.0f + 10 * 0.001f);
  a11 = _mm512_set1_ps(1.0f + 11 * 0.001f);
  const __m512 b = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
  for (long k = 0; k < kSteps; ++k) {
    a0 = _mm512_fmadd_ps(a0, b, c);
    a1 = _mm512_fmadd_ps(a1, b, c);
    a2 = _mm512_fmadd_ps(a2, b, c);
    a3 = _mm512_fmadd_ps(a3, b, c);
    a4 = _mm512_fmadd_ps(a4, b, c);
    a5 = _mm512_fmadd_ps(a5, b, c);
    a6 = _mm512_fmadd_ps(a6, b, c);
    a7 = _mm512_fmadd_ps(a7, b, c);
    a8 = _mm512_fmadd_ps(a8, b, c);
    a9 = _mm512_fmadd_ps(a9, b, c);
    a10 = _mm512_fmadd_ps(a10, b, c);
    a11 = _mm512_fmadd_ps(a11, b, c);
  }
  alignas(64) float out[16];
  _mm512_store_ps(
      out,
      _mm512_add_ps(
          _mm512_add_ps(
              _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
              _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7))),
          _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11))));
  float s = 0;
  for (const float v : out) s += v;
  return s;
}

__attribute__((target("avx2,fma"))) float chains_avx2() {
  // Different start values: identical chains would be computed once.
  __m256 a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;
  a0 = _mm256_set1_ps(1.0f);
  a1 = _mm256_set1_ps(1.0f + 1 * 0.001f);
  a2 = _mm256_set1_ps(1.0f + 2 * 0.001f);
  a3 = _mm256_set1_ps(1.0f + 3 * 0.001f);
  a4 = _mm256_set1_ps(1.0f + 4 * 0.001f);
  a5 = _mm256_set1_ps(1.0f + 5 * 0.001f);
  a6 = _mm256_set1_ps(1.0f + 6 * 0.001f);
  a7 = _mm256_set1_ps(1.0f + 7 * 0.001f);
  a8 = _mm256_set1_ps(1.0f + 8 * 0.001f);
  a9 = _mm256_set1_ps(1.0f + 9 * 0.001f);
  a10 = _mm256_set1_ps(1.0f + 10 * 0.001f);
  a11 = _mm256_set1_ps(1.0f + 11 * 0.001f);
  const __m256 b = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
  for (long k = 0; k < kSteps; ++k) {
    a0 = _mm256_fmadd_ps(a0, b, c);
    a1 = _mm256_fmadd_ps(a1, b, c);
    a2 = _mm256_fmadd_ps(a2, b, c);
    a3 = _mm256_fmadd_ps(a3, b, c);
    a4 = _mm256_fmadd_ps(a4, b, c);
    a5 = _mm256_fmadd_ps(a5, b, c);
    a6 = _mm256_fmadd_ps(a6, b, c);
    a7 = _mm256_fmadd_ps(a7, b, c);
    a8 = _mm256_fmadd_ps(a8, b, c);
    a9 = _mm256_fmadd_ps(a9, b, c);
    a10 = _mm256_fmadd_ps(a10, b, c);
    a11 = _mm256_fmadd_ps(a11, b, c);
  }
  alignas(32) float out[8];
  _mm256_store_ps(
      out,
      _mm256_add_ps(
          _mm256_add_ps(
              _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
              _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7))),
          _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11))));
  float s = 0;
  for (const float v : out) s += v;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = omp_get_max_threads();
  if (argc == 3 && std::strcmp(argv[1], "--threads") == 0) {
    threads = std::atoi(argv[2]);
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: fma_peak [--threads N]\n");
    return 2;
  }
  if (threads < 1) threads = 1;
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const int lanes = avx512 ? 16 : 8;
  double best = 0;
  float sink = 0;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += avx512 ? chains_avx512() : chains_avx2();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    const double flop = 2.0 * lanes * 12 * kSteps * threads;
    if (flop / seconds > best) best = flop / seconds;
  }
  std::printf(
      "%.1f GFLOP/s float32 FMA peak (%s, %d threads; checksum %g)\n",
      best / 1e9,
      avx512 ? "AVX-512" : "AVX2",
      threads,
      static_cast<double>(sink));
  return 0;
}
