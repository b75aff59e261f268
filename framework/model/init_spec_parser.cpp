// SPDX-License-Identifier: Apache-2.0
#include "framework/model/init_spec_parser.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace initforge {

ArgValue parse_arg_value(const JsonCursor& value, std::string_view what) {
  const nlohmann::json& j = value.json();
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_unsigned() &&
      j.get<std::uint64_t>() > static_cast<std::uint64_t>(
                                   std::numeric_limits<std::int64_t>::max())) {
    value.expected("an integer below 2^63");
  }
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number_float()) return value.number();  // rejects 1e999 (inf)
  const bool integers =
      j.is_array() && !j.empty() &&
      std::all_of(j.begin(), j.end(), [](const nlohmann::json& e) {
        return e.is_number_integer();
      });
  if (integers && value.size() == 2) {
    return IntPair{value.at(0).integer(), value.at(1).integer()};
  }
  if (integers) {  // LayerNorm's normalized_shape: [8] or [4, 5, 5]
    IntList list;
    for (std::size_t i = 0; i < value.size(); ++i) {
      list.push_back(value.at(i).integer());
    }
    return list;
  }
  value.expected(what);
}

InitSpec parse_init_spec(
    const JsonCursor& spec, std::span<const std::string_view> reserved) {
  spec.expect_object("an object {\"scheme\": NAME, ARG: VALUE, ...}");
  InitSpec out;
  out.pointer = spec.pointer();
  out.scheme = spec.require("scheme", "the name of an initializer scheme")
                   .non_empty_string();
  // items() walks nlohmann's std::map, i.e. sorted keys; the order does not
  // matter to bind_args, which matches arguments by name.
  for (const auto& item : spec.json().items()) {
    const std::string& key = item.key();
    if (key == "scheme") continue;
    if (std::find(reserved.begin(), reserved.end(), key) != reserved.end()) {
      continue;
    }
    out.args.emplace_back(key, parse_arg_value(*spec.find(key)));
  }
  return out;
}

}  // namespace initforge
