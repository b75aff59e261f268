// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace initforge::testing {

/// Whether `text` is valid UTF-8, by nlohmann's dump (which refuses
/// anything else): a check independent of initforge's own.
inline bool valid_utf8(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace initforge::testing
