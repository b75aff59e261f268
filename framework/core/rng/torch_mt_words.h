// SPDX-License-Identifier: Apache-2.0
#pragma once

// MT19937 word operations (at::mt19937, identical to std::mt19937), shared by
// the per-instruction-set kernel files; internal linkage keeps each file's
// copy compiled for its own target.

#include <cstddef>
#include <cstdint>

namespace initforge::torch_rng {
namespace {

constexpr std::size_t kMtN = 624;
constexpr std::size_t kMtM = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperMask = 0x80000000U;
constexpr std::uint32_t kLowerMask = 0x7fffffffU;

inline std::uint32_t temper_word(std::uint32_t y) {
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

// New state word from s[i] (u), s[i+1] (v) and s[i+M] (far).
inline std::uint32_t twist_word(
    std::uint32_t u, std::uint32_t v, std::uint32_t far) {
  const std::uint32_t y = (u & kUpperMask) | (v & kLowerMask);
  return far ^ (y >> 1) ^ ((v & 1U) != 0U ? kMatrixA : 0U);
}

// x = (word & 0xFFFFFF) * 2^-24: exact, in [0, 1 - 2^-24].
inline float u24_of(std::uint32_t word) {
  return static_cast<float>(word & 0xffffffU) * 5.9604644775390625e-8F;
}

}  // namespace
}  // namespace initforge::torch_rng
