// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>

#include "framework/core/export.h"
#include "framework/core/generator.h"

namespace initforge {

/// RandomSource whose generators are Philox4x32-10 streams keyed by
/// (seed, parameter path).
INITFORGE_API std::unique_ptr<RandomSource> make_philox_source(
    std::uint64_t seed);

}  // namespace initforge
