// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>

#include "framework/core/export.h"

namespace initforge {

/// Summary of a tensor's values, as reports print them.
struct ValueStats {
  std::int64_t count = 0;
  double mean = 0, std = 0, min = 0, max = 0;  // std: population
};

/// Accumulated in double on all OpenMP threads; NaN moments when empty.
INITFORGE_API ValueStats compute_stats(std::span<const float> values);

}  // namespace initforge
