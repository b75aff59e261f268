// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model (nlohmann/json stays private to it).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace initforge {

/// RFC 6901 escaping of one reference token: "~" -> "~0", "/" -> "~1".
std::string escape_pointer_token(std::string_view token);

/// A JSON value plus where it sits (file and JSON pointer), so that every
/// check can throw ConfigError("file: /pointer: expected X; got Y").
class JsonCursor {
 public:
  JsonCursor(
      const nlohmann::json& value,
      const std::string& file,
      std::string pointer);

  const nlohmann::json& json() const {
    return *value_;
  }
  const std::string& pointer() const {
    return pointer_;
  }
  const std::string& file() const {
    return *file_;
  }

  /// The same cursor, whose messages (and its members') end with
  /// " (in <origin>)": where a block's layer was instantiated. `origin`
  /// must outlive the cursor; "" means none.
  JsonCursor with_origin(const std::string& origin) const;

  /// Throws ConfigError at this pointer.
  [[noreturn]] void fail(const std::string& what) const;
  /// Throws "expected <what>; got <the value as JSON>".
  [[noreturn]] void expected(std::string_view what) const;

  /// Object access (the value must be an object; checked by expect_object).
  bool has(std::string_view key) const;
  std::optional<JsonCursor> find(std::string_view key) const;
  /// The member, or "missing required key" at the member's pointer; `what`
  /// says what it should be ("a positive integer").
  JsonCursor require(std::string_view key, std::string_view what) const;
  /// Array element.
  JsonCursor at(std::size_t index) const;
  std::size_t size() const {
    return value_->size();
  }

  void expect_object(std::string_view what = "an object") const;
  void expect_array(std::string_view what = "an array") const;
  /// Every key must be in `allowed`; an unknown one fails at its own pointer
  /// with the closest allowed key as a "did you mean" hint.
  void check_keys(
      std::span<const std::string_view> allowed, std::string_view where) const;

  std::string string() const;
  std::string non_empty_string() const;
  bool boolean() const;
  double number() const;  // finite; an integer literal converts
  /// A finite number for which `ok` holds; anything else (a string too)
  /// fails with "expected <what>" ("a number >= 0").
  template <typename Pred>
  double number_if(Pred ok, std::string_view what) const {
    const bool finite_number = value_->is_number() && number_is_finite();
    if (!finite_number || !ok(value_->get<double>())) expected(what);
    return value_->get<double>();
  }
  std::int64_t integer() const;
  std::int64_t positive() const;      // >= 1
  std::int64_t non_negative() const;  // >= 0

  /// The value as compact JSON, shortened for messages.
  std::string got() const;

 private:
  bool number_is_finite() const;
  std::int64_t integer_at_least(
      std::optional<std::int64_t> floor, std::string_view what) const;
  [[noreturn]] void raise(const std::string& pointer, std::string what) const;

  const nlohmann::json* value_;
  const std::string* file_;
  std::string pointer_;
  const std::string* origin_ = nullptr;
};

}  // namespace initforge
