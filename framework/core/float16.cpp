// SPDX-License-Identifier: Apache-2.0
#include "framework/core/float16.h"

#include <bit>

namespace initforge {

float half_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  std::uint32_t exponent = (bits >> 10) & 0x1fu;
  std::uint32_t fraction = bits & 0x3ffu;
  if (exponent == 0x1f) {
    // Inf, or NaN with its payload and, as the hardware's conversion (and
    // PyTorch's) does, the quiet bit set.
    const std::uint32_t quiet = fraction != 0 ? 0x00400000u : 0u;
    return std::bit_cast<float>(sign | 0x7f800000u | quiet | fraction << 13);
  }
  if (exponent == 0) {
    if (fraction == 0) return std::bit_cast<float>(sign);  // +-0
    // Subnormal: shift the fraction up until its leading 1 is implicit.
    exponent = 1;
    while ((fraction & 0x400u) == 0) {
      fraction <<= 1;
      --exponent;
    }
    fraction &= 0x3ffu;
  }
  // Rebias the exponent from 15 to 127 (exponent may be <= 0 here only as
  // an unsigned wrap that the + 112 brings back into range).
  return std::bit_cast<float>(sign | (exponent + 112u) << 23 | fraction << 13);
}

float bfloat16_to_float(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

}  // namespace initforge
