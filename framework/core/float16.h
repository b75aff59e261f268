// SPDX-License-Identifier: Apache-2.0
#pragma once

// The 16-bit float formats weights files store (IEEE binary16 "F16" and
// bfloat16 "BF16"), widened to float32. Every 16-bit value is exactly a
// float32, so both conversions are exact (a signaling F16 NaN comes out
// quiet, as from the hardware's conversion).

#include <cstdint>

#include "framework/core/export.h"

namespace initforge {

/// IEEE 754 binary16 bits (sign, 5-bit exponent, 10-bit fraction) as float.
INITFORGE_API float half_to_float(std::uint16_t bits);

/// bfloat16 bits (the high half of a float32) as float.
INITFORGE_API float bfloat16_to_float(std::uint16_t bits);

}  // namespace initforge
