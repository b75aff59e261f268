// SPDX-License-Identifier: Apache-2.0
#include "framework/core/float16.h"

#include <bit>
#include <cmath>
#include <cstdint>

#include <gtest/gtest.h>

namespace initforge {
namespace {

// Every one of the 65536 binary16 values against the compiler's own
// _Float16 -> float conversion, bit for bit (NaN payloads included).
TEST(Float16, EveryHalfValueWidensExactly) {
  for (std::uint32_t b = 0; b <= 0xffff; ++b) {
    const auto bits = static_cast<std::uint16_t>(b);
    const float expected = static_cast<float>(std::bit_cast<_Float16>(bits));
    ASSERT_EQ(
        std::bit_cast<std::uint32_t>(half_to_float(bits)),
        std::bit_cast<std::uint32_t>(expected))
        << "half bits 0x" << std::hex << b;
  }
}

TEST(Float16, KnownHalfValues) {
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0xc000), -2.0f);
  EXPECT_EQ(half_to_float(0x7bff), 65504.0f);               // largest finite
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest
  EXPECT_EQ(half_to_float(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_TRUE(std::isinf(half_to_float(0xfc00)));
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
}

TEST(Float16, BFloat16IsTheHighHalfOfAFloat) {
  for (const float f : {1.0f, -3.5f, 1e-38f, 3.0e38f, 0.15625f}) {
    const auto high =
        static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(f) >> 16);
    EXPECT_EQ(
        std::bit_cast<std::uint32_t>(bfloat16_to_float(high)),
        std::bit_cast<std::uint32_t>(f) & 0xffff0000u);
  }
  EXPECT_EQ(bfloat16_to_float(0x3f80), 1.0f);
  EXPECT_TRUE(std::isnan(bfloat16_to_float(0x7fc0)));
}

}  // namespace
}  // namespace initforge
