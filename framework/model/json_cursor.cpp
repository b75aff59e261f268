// SPDX-License-Identifier: Apache-2.0
#include "framework/model/json_cursor.h"

#include <cmath>
#include <limits>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/init/text.h"

namespace initforge {

std::string escape_pointer_token(std::string_view token) {
  // nlohmann's json_pointer escapes the token it appends ("/" + token).
  return (nlohmann::json::json_pointer() / std::string(token))
      .to_string()
      .substr(1);
}

JsonCursor::JsonCursor(
    const nlohmann::json& value, const std::string& file, std::string pointer)
    : value_(&value), file_(&file), pointer_(std::move(pointer)) {}

JsonCursor JsonCursor::with_origin(const std::string& origin) const {
  JsonCursor c = *this;
  c.origin_ = origin.empty() ? nullptr : &origin;
  return c;
}

void JsonCursor::raise(const std::string& pointer, std::string what) const {
  if (origin_ != nullptr) what += " (in " + *origin_ + ")";
  throw ConfigError(*file_, pointer, what);
}

void JsonCursor::fail(const std::string& what) const {
  raise(pointer_, what);
}

void JsonCursor::expected(std::string_view what) const {
  fail(expected_got(what, got()));
}

std::string JsonCursor::got() const {
  // A whole layer object in a message helps nobody: keep it to one glance.
  constexpr std::size_t kMax = 60;
  std::string text =
      value_->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > kMax) text = text.substr(0, kMax - 3) + "...";
  return text;
}

bool JsonCursor::has(std::string_view key) const {
  return value_->is_object() && value_->contains(key);
}

std::optional<JsonCursor> JsonCursor::find(std::string_view key) const {
  if (!value_->is_object()) return std::nullopt;
  const auto it = value_->find(key);
  if (it == value_->end()) return std::nullopt;
  JsonCursor member = *this;
  member.value_ = &*it;
  member.pointer_ = pointer_ + "/" + escape_pointer_token(key);
  return member;
}

JsonCursor JsonCursor::require(
    std::string_view key, std::string_view what) const {
  if (auto member = find(key)) return *member;
  raise(
      pointer_ + "/" + escape_pointer_token(key),
      "missing required key \"" + std::string(key) + "\" (" +
          std::string(what) + ")");
}

JsonCursor JsonCursor::at(std::size_t index) const {
  JsonCursor element = *this;
  element.value_ = &value_->at(index);
  element.pointer_ = pointer_ + "/" + std::to_string(index);
  return element;
}

void JsonCursor::expect_object(std::string_view what) const {
  if (!value_->is_object()) expected(what);
}

void JsonCursor::expect_array(std::string_view what) const {
  if (!value_->is_array()) expected(what);
}

void JsonCursor::check_keys(
    std::span<const std::string_view> allowed, std::string_view where) const {
  for (const auto& item : value_->items()) {
    const std::string& key = item.key();
    bool known = false;
    for (const std::string_view a : allowed) known = known || a == key;
    if (known) continue;
    std::vector<std::string> names(allowed.begin(), allowed.end());
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    std::string message =
        "unknown key \"" + key + "\" in " + std::string(where) + ";";
    const std::string hint = closest_match(key, names);
    if (!hint.empty()) message += " did you mean \"" + hint + "\"?";
    message += " expected one of " + list;
    raise(pointer_ + "/" + escape_pointer_token(key), message);
  }
}

std::string JsonCursor::string() const {
  if (!value_->is_string()) expected("a string");
  return value_->get<std::string>();
}

std::string JsonCursor::non_empty_string() const {
  if (!value_->is_string() || value_->get_ref<const std::string&>().empty()) {
    expected("a non-empty string");
  }
  return value_->get<std::string>();
}

bool JsonCursor::boolean() const {
  if (!value_->is_boolean()) expected("true or false");
  return value_->get<bool>();
}

double JsonCursor::number() const {
  // nlohmann never yields NaN/inf from text, but 1e999 overflows to inf.
  if (!value_->is_number() || !std::isfinite(value_->get<double>())) {
    expected("a finite number");
  }
  return value_->get<double>();
}

bool JsonCursor::number_is_finite() const {
  return std::isfinite(value_->get<double>());
}

std::int64_t JsonCursor::integer_at_least(
    std::optional<std::int64_t> floor, std::string_view what) const {
  // Integer literals only: 3.0 is a float in JSON and in PyTorch's checks.
  if (value_->is_number_unsigned()) {
    const auto u = value_->get<std::uint64_t>();
    if (u >
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      expected(std::string(what) + " below 2^63");
    }
  } else if (!value_->is_number_integer()) {
    expected(what);
  }
  const auto n = value_->get<std::int64_t>();
  if (floor && n < *floor) expected(what);
  return n;
}

std::int64_t JsonCursor::integer() const {
  return integer_at_least(std::nullopt, "an integer");
}

std::int64_t JsonCursor::positive() const {
  return integer_at_least(1, "a positive integer");
}

std::int64_t JsonCursor::non_negative() const {
  return integer_at_least(0, "a non-negative integer");
}

}  // namespace initforge
