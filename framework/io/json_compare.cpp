// SPDX-License-Identifier: Apache-2.0
#include "framework/io/json_compare.h"

#include <nlohmann/json.hpp>

namespace initforge {
namespace {

using nlohmann::json;

std::optional<std::string> dump_at(const json& doc, const std::string& path) {
  const json::json_pointer pointer(path);
  if (!doc.contains(pointer)) return std::nullopt;
  return doc.at(pointer).dump();
}

}  // namespace

std::optional<std::string> canonical_json(std::string_view text) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  return doc.dump();
}

std::optional<std::vector<JsonDifference>> json_differences(
    std::string_view before, std::string_view after) {
  const json was = json::parse(before, nullptr, false);
  const json now = json::parse(after, nullptr, false);
  if (was.is_discarded() || now.is_discarded()) return std::nullopt;
  std::vector<JsonDifference> out;
  for (const json& op : json::diff(was, now)) {
    const std::string path = op.at("path").get<std::string>();
    out.push_back({path, dump_at(was, path), dump_at(now, path)});
  }
  return out;
}

}  // namespace initforge
