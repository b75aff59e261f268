// SPDX-License-Identifier: Apache-2.0
#pragma once

// How much memory this machine has for us, and sizes in words: so a size
// that cannot fit is refused as bad input before anything is allocated.

#include <cstdint>
#include <optional>
#include <string>

#include "framework/core/export.h"

namespace initforge {

/// MemAvailable of /proc/meminfo in bytes; nullopt when it cannot be read.
INITFORGE_API std::optional<std::int64_t> available_memory();

/// "22.1 GiB", "512 B": binary units, three significant digits.
INITFORGE_API std::string format_bytes(double bytes);

/// Throws MemoryError ("WHAT needs 37.3 TiB (41000000000000 bytes); 20.1 GiB
/// available (MemAvailable)") when `bytes` exceeds `available`.
INITFORGE_API void check_fits_in_memory(
    std::int64_t bytes,
    const std::string& what,
    std::optional<std::int64_t> available = available_memory());

}  // namespace initforge
