// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model (nlohmann/json stays private to it).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace initforge {

/// Parses a config's text. Malformed JSON throws ConfigError("file: line L,
/// column C: ..."), with L and C computed from the parser's byte offset; a
/// key repeated in one object (which JSON parsers silently resolve to the
/// last value) throws ConfigError at the repeated key's pointer.
nlohmann::json parse_json(std::string_view text, const std::string& file);

/// 1-based line and column of the character at 0-based `index` of `text`.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
TextPosition text_position(std::string_view text, std::size_t index);

}  // namespace initforge
