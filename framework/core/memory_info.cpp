// SPDX-License-Identifier: Apache-2.0
#include "framework/core/memory_info.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "framework/core/error.h"

namespace initforge {

std::optional<std::int64_t> available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key, unit;
    std::int64_t kib = 0;
    if (fields >> key >> kib >> unit && key == "MemAvailable:" &&
        unit == "kB") {
      return kib * 1024;
    }
  }
  return std::nullopt;
}

std::string format_bytes(double bytes) {
  static constexpr std::array<const char*, 7> kUnits = {
      "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  std::size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < kUnits.size()) {
    bytes /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.3g %s", bytes, kUnits[unit]);
  return text;
}

void check_fits_in_memory(
    std::int64_t bytes,
    const std::string& what,
    std::optional<std::int64_t> available) {
  if (!available || bytes <= *available) return;
  throw MemoryError(
      what + " needs " + format_bytes(static_cast<double>(bytes)) + " (" +
      std::to_string(bytes) + " bytes); " +
      format_bytes(static_cast<double>(*available)) +
      " available (MemAvailable)");
}

}  // namespace initforge
