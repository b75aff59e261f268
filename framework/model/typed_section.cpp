// SPDX-License-Identifier: Apache-2.0
#include "framework/model/typed_section.h"

#include <algorithm>
#include <string>
#include <vector>

namespace initforge {

namespace {

bool contains(std::span<const std::string_view> keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string join(std::span<const std::string_view> items) {
  std::string out;
  for (const std::string_view s : items) {
    out += (out.empty() ? "" : ", ") + std::string(s);
  }
  return out;
}

}  // namespace

std::size_t parse_typed_section(
    const JsonCursor& section,
    std::span<const TypeKeys> types,
    std::string_view where) {
  std::vector<std::string_view> all{"type"};
  std::vector<std::string_view> names;
  for (const TypeKeys& t : types) {
    names.push_back(t.type);
    for (const std::string_view k : t.keys) {
      if (!contains(all, k)) all.push_back(k);
    }
  }
  const std::string choices = join(names);
  section.expect_object("an object {\"type\": " + choices + ", ...}");
  // Unknown keys first: a misspelled "type" deserves a "did you mean".
  section.check_keys(all, where);
  const JsonCursor type = section.require("type", "one of " + choices);
  if (!type.json().is_string()) type.expected("one of " + choices);
  const auto it = std::find(
      names.begin(), names.end(), type.json().get_ref<const std::string&>());
  if (it == names.end()) type.expected("one of " + choices);
  const std::size_t chosen = static_cast<std::size_t>(it - names.begin());
  const TypeKeys& mine = types[chosen];
  for (const auto& item : section.json().items()) {
    const std::string& key = item.key();
    if (key == "type" || contains(mine.keys, key)) continue;
    std::vector<std::string_view> owners;
    for (const TypeKeys& t : types) {
      if (contains(t.keys, key)) owners.push_back(t.type);
    }
    const std::string takes =
        mine.keys.empty()
            ? std::string(mine.type) + " takes no other keys"
            : std::string(mine.type) + " takes " + join(mine.keys);
    section.find(key)->fail(
        "\"" + key + "\" does not apply to type \"" + std::string(mine.type) +
        "\" (only to " + join(owners) + "); " + takes);
  }
  return chosen;
}

}  // namespace initforge
