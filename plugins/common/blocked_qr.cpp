// SPDX-License-Identifier: Apache-2.0
// Picks the instruction-set build of blocked_qr_kernel.cpp: the vector width
// and FMA change rounding, so the tier is fixed per CPU (or by the
// environment, to match another machine), never by load or threads.
#include "plugins/common/blocked_qr.h"

#include <cstdlib>
#include <string_view>

#include "framework/core/error.h"

namespace initforge::plugins {
namespace baseline {
void householder_q(float* a, std::int64_t m, std::int64_t n, float* sign);
}
namespace avx2 {
void householder_q(float* a, std::int64_t m, std::int64_t n, float* sign);
}
namespace avx512 {
void householder_q(float* a, std::int64_t m, std::int64_t n, float* sign);
}

namespace {

bool cpu_runs(std::string_view tier) {
  __builtin_cpu_init();
  const bool avx2 =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (tier == "avx512") return avx2 && __builtin_cpu_supports("avx512f");
  if (tier == "avx2") return avx2;
  return tier == "baseline";
}

}  // namespace

std::string blocked_qr_tier() {
  const char* env = std::getenv("INITFORGE_ORTHOGONAL_ISA");
  if (env == nullptr || *env == '\0') {
    for (const char* tier : {"avx512", "avx2"}) {
      if (cpu_runs(tier)) return tier;
    }
    return "baseline";
  }
  const std::string_view tier = env;
  if (tier != "baseline" && tier != "avx2" && tier != "avx512") {
    throw InvalidArgument(
        "INITFORGE_ORTHOGONAL_ISA: expected baseline, avx2 or avx512, found '" +
        std::string(tier) + "'");
  }
  if (!cpu_runs(tier)) {
    throw InvalidArgument(
        "INITFORGE_ORTHOGONAL_ISA: this CPU cannot run '" + std::string(tier) +
        "'");
  }
  return std::string(tier);
}

std::vector<float> blocked_householder_q(
    std::span<float> a, std::int64_t m, std::int64_t n) {
  std::vector<float> sign(static_cast<std::size_t>(n));
  const std::string tier = blocked_qr_tier();
  if (tier == "avx512") {
    avx512::householder_q(a.data(), m, n, sign.data());
  } else if (tier == "avx2") {
    avx2::householder_q(a.data(), m, n, sign.data());
  } else {
    baseline::householder_q(a.data(), m, n, sign.data());
  }
  return sign;
}

}  // namespace initforge::plugins
