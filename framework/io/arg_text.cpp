// SPDX-License-Identifier: Apache-2.0
#include "framework/io/arg_text.h"

#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge {

ArgValue parse_arg_value(std::string_view text) {
  const nlohmann::json value =
      nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::string(text);  // a bare word
  switch (value.type()) {
    case nlohmann::json::value_t::boolean:
      return value.get<bool>();
    case nlohmann::json::value_t::number_integer:
      return value.get<std::int64_t>();
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = value.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(
                  std::numeric_limits<std::int64_t>::max())) {
        throw UsageError(expected_got("an integer that fits in 64 bits", text));
      }
      return static_cast<std::int64_t>(u);
    }
    case nlohmann::json::value_t::number_float:
      return value.get<double>();
    case nlohmann::json::value_t::string:
      return value.get<std::string>();
    default:
      break;
  }
  throw UsageError(expected_got("a number, true, false or a string", text));
}

}  // namespace initforge
