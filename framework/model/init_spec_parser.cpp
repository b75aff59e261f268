// SPDX-License-Identifier: Apache-2.0
#include "framework/model/init_spec_parser.h"

#include <algorithm>
#include <array>
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

namespace {

// {"from": FILE, "tensor": NAME} or a rule's {"pattern", "from", "missing"}.
LoadSpec parse_load_spec(
    const JsonCursor& spec,
    LoadKeys load,
    const std::filesystem::path& base_dir) {
  static constexpr std::array<std::string_view, 2> kLayerKeys{"from", "tensor"};
  static constexpr std::array<std::string_view, 3> kRuleKeys{
      "pattern", "from", "missing"};
  if (const auto scheme = spec.find("scheme")) {
    scheme->fail(
        "an init either loads from a file (\"from\") or draws from a scheme "
        "(\"scheme\"), not both");
  }
  if (load == LoadKeys::Layer) {
    spec.check_keys(kLayerKeys, "an init that loads from a file");
  } else {
    spec.check_keys(kRuleKeys, "a rule that loads from a file");
  }
  LoadSpec out;
  out.in_rule = load == LoadKeys::Rule;
  out.file_text = spec.require("from", "a safetensors file").non_empty_string();
  const std::filesystem::path given(out.file_text);
  out.file =
      (given.is_absolute() ? given : base_dir / given).lexically_normal();
  if (const auto tensor = spec.find("tensor")) {
    out.tensor = tensor->non_empty_string();
  }
  if (const auto missing = spec.find("missing")) {
    const std::string value = missing->string();
    if (value != "error" && value != "init") {
      missing->expected(
          "\"error\" (a matched parameter the file lacks is an "
          "error) or \"init\" (it is initialized as without "
          "this rule)");
    }
    out.missing_falls_through = value == "init";
  }
  return out;
}

}  // namespace

InitSpec parse_init_spec(
    const JsonCursor& spec,
    std::span<const std::string_view> reserved,
    LoadKeys load,
    const std::filesystem::path& base_dir) {
  spec.expect_object("an object {\"scheme\": NAME, ARG: VALUE, ...}");
  InitSpec out;
  out.pointer = spec.pointer();
  if (spec.has("from")) {
    if (load == LoadKeys::None) {
      spec.find("from")->fail(
          "post_init calibrates parameters after they are filled; load "
          "weights with \"from\" in a layer's \"init\" or in "
          "\"init_rules\"");
    }
    out.from = parse_load_spec(spec, load, base_dir);
    return out;
  }
  out.scheme =
      spec.require(
              "scheme",
              load == LoadKeys::None
                  ? "the name of an initializer scheme"
                  : "the name of an initializer scheme (or \"from\": a "
                    "safetensors file to load)")
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
