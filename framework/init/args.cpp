// SPDX-License-Identifier: Apache-2.0
#include "framework/init/args.h"

#include <algorithm>
#include <cmath>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/init/text.h"

namespace initforge {

namespace {

ArgSpec make_spec(
    std::string name,
    ArgType type,
    std::optional<ArgValue> def,
    std::string doc) {
  ArgSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.default_value = std::move(def);
  spec.doc = std::move(doc);
  return spec;
}

}  // namespace

ArgSpec ArgSpec::number(std::string name, double def, std::string doc) {
  return make_spec(std::move(name), ArgType::Number, def, std::move(doc));
}

ArgSpec ArgSpec::required_number(std::string name, std::string doc) {
  return make_spec(
      std::move(name), ArgType::Number, std::nullopt, std::move(doc));
}

ArgSpec ArgSpec::integer(std::string name, std::int64_t def, std::string doc) {
  return make_spec(std::move(name), ArgType::Integer, def, std::move(doc));
}

ArgSpec ArgSpec::required_integer(std::string name, std::string doc) {
  return make_spec(
      std::move(name), ArgType::Integer, std::nullopt, std::move(doc));
}

ArgSpec ArgSpec::int_pair(std::string name, IntPair def, std::string doc) {
  return make_spec(std::move(name), ArgType::IntegerPair, def, std::move(doc));
}

ArgSpec ArgSpec::required_int_pair(std::string name, std::string doc) {
  return make_spec(
      std::move(name), ArgType::IntegerPair, std::nullopt, std::move(doc));
}

ArgSpec ArgSpec::required_int_list(std::string name, std::string doc) {
  return make_spec(
      std::move(name), ArgType::IntegerList, std::nullopt, std::move(doc));
}

ArgSpec ArgSpec::boolean(std::string name, bool def, std::string doc) {
  return make_spec(std::move(name), ArgType::Boolean, def, std::move(doc));
}

ArgSpec ArgSpec::choice(
    std::string name,
    std::string def,
    std::vector<std::string> choices,
    std::string doc) {
  ArgSpec spec = make_spec(
      std::move(name), ArgType::String, std::move(def), std::move(doc));
  spec.choices = std::move(choices);
  return spec;
}

ArgSpec& ArgSpec::at_least(double bound) {
  min = bound;
  min_exclusive = false;
  return *this;
}

ArgSpec& ArgSpec::greater_than(double bound) {
  min = bound;
  min_exclusive = true;
  return *this;
}

ArgSpec& ArgSpec::at_most(double bound) {
  max = bound;
  return *this;
}

ArgSpec& ArgSpec::ignore_case() {
  case_insensitive = true;
  return *this;
}

Args::Args(std::map<std::string, ArgValue> values)
    : values_(std::move(values)) {}

const ArgValue& Args::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) {
    throw ArgumentError(
        name, "argument \"" + name + "\" is not declared by this scheme");
  }
  return it->second;
}

namespace {

// A getter asking for the wrong type is a bug in the plugin, not user input.
[[noreturn]] void wrong_type(
    const std::string& name, const ArgValue& value, std::string_view wanted) {
  throw ArgumentError(
      name,
      "argument \"" + name + "\" is " + to_string(value) + ", not " +
          std::string(wanted));
}

}  // namespace

double Args::number(const std::string& name) const {
  const ArgValue& value = get(name);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    return static_cast<double>(*i);
  }
  wrong_type(name, value, "a number");
}

std::int64_t Args::integer(const std::string& name) const {
  const ArgValue& value = get(name);
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  wrong_type(name, value, "an integer");
}

bool Args::boolean(const std::string& name) const {
  const ArgValue& value = get(name);
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  wrong_type(name, value, "a boolean");
}

const std::string& Args::string(const std::string& name) const {
  const ArgValue& value = get(name);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  wrong_type(name, value, "a string");
}

IntPair Args::int_pair(const std::string& name) const {
  const ArgValue& value = get(name);
  if (const auto* p = std::get_if<IntPair>(&value)) return *p;
  wrong_type(name, value, "an integer pair");
}

const IntList& Args::int_list(const std::string& name) const {
  const ArgValue& value = get(name);
  if (const auto* l = std::get_if<IntList>(&value)) return *l;
  wrong_type(name, value, "an integer list");
}

bool Args::has(const std::string& name) const {
  return values_.contains(name);
}

namespace {

[[noreturn]] void expected(
    const ArgSpec& spec, const std::string& what, const ArgValue& got) {
  throw ArgumentError(spec.name, expected_got(what, to_string(got)));
}

}  // namespace

std::string describe(ArgType type) {
  switch (type) {
    case ArgType::Number:
      return "a number";
    case ArgType::Integer:
      return "an integer";
    case ArgType::Boolean:
      return "true or false";
    case ArgType::String:
      return "a string";
    case ArgType::IntegerPair:
      return "an integer or [height, width]";
    case ArgType::IntegerList:
      return "an integer or a non-empty list of integers";
  }
  return "a value";
}

namespace {

void check_range(const ArgSpec& spec, double x, const ArgValue& given) {
  const std::string kind =
      spec.type == ArgType::IntegerPair || spec.type == ArgType::IntegerList
          ? "integers"
          : describe(spec.type);
  if (spec.min && (spec.min_exclusive ? !(x > *spec.min) : !(x >= *spec.min))) {
    expected(
        spec,
        kind + (spec.min_exclusive ? " > " : " >= ") + format_double(*spec.min),
        given);
  }
  if (spec.max && !(x <= *spec.max)) {
    expected(spec, kind + " <= " + format_double(*spec.max), given);
  }
}

// An integer given as 2 or 2.0 (JSON configs write both); nullopt otherwise.
std::optional<std::int64_t> as_integer(const ArgValue& given) {
  if (const auto* i = std::get_if<std::int64_t>(&given)) return *i;
  if (const auto* d = std::get_if<double>(&given)) {
    if (std::trunc(*d) == *d && std::fabs(*d) < 0x1p63) {
      return static_cast<std::int64_t>(*d);
    }
  }
  return std::nullopt;
}

// Converts `given` to the spec's type and checks range / choices.
ArgValue convert(const ArgSpec& spec, const ArgValue& given) {
  switch (spec.type) {
    case ArgType::Number: {
      double x = 0;
      if (const auto* d = std::get_if<double>(&given)) {
        x = *d;
      } else if (const auto* i = std::get_if<std::int64_t>(&given)) {
        x = static_cast<double>(*i);
      } else {
        expected(spec, "a number", given);
      }
      if (!std::isfinite(x)) expected(spec, "a finite number", given);
      check_range(spec, x, given);
      return x;
    }
    case ArgType::Integer: {
      // 2.0 from a JSON config is an integer; 2.5 and 1e300 are not.
      const auto n = as_integer(given);
      if (!n) expected(spec, "an integer", given);
      check_range(spec, static_cast<double>(*n), given);
      return *n;
    }
    case ArgType::IntegerPair: {
      IntPair pair{};
      if (const auto* p = std::get_if<IntPair>(&given)) {
        pair = *p;
      } else if (const auto n = as_integer(given)) {
        pair = {*n, *n};
      } else {
        expected(spec, describe(spec.type), given);
      }
      for (const std::int64_t n : pair) {
        check_range(spec, static_cast<double>(n), given);
      }
      return pair;
    }
    case ArgType::IntegerList: {
      // A JSON [a, b] arrives as an IntPair; any other length as an IntList.
      IntList list;
      if (const auto* l = std::get_if<IntList>(&given)) {
        list = *l;
      } else if (const auto* p = std::get_if<IntPair>(&given)) {
        list.assign(p->begin(), p->end());
      } else if (const auto n = as_integer(given)) {
        list = {*n};
      }
      if (list.empty()) expected(spec, describe(spec.type), given);
      for (const std::int64_t n : list) {
        check_range(spec, static_cast<double>(n), given);
      }
      return list;
    }
    case ArgType::Boolean:
      if (!std::holds_alternative<bool>(given)) {
        expected(spec, "true or false", given);
      }
      return given;
    case ArgType::String: {
      const auto* s = std::get_if<std::string>(&given);
      if (s == nullptr) expected(spec, describe(spec.type), given);
      if (spec.choices.empty()) return given;
      const std::string key = spec.case_insensitive ? to_lower(*s) : *s;
      for (const std::string& choice : spec.choices) {
        const std::string c = spec.case_insensitive ? to_lower(choice) : choice;
        // Store the canonical (declared) spelling, lower-cased when the
        // comparison ignores case, so plugins compare plain strings.
        if (c == key) return c;
      }
      expected(spec, "one of " + join_comma(spec.choices), given);
    }
  }
  return given;
}

}  // namespace

Args bind_args(
    const std::vector<ArgSpec>& specs,
    const std::vector<std::pair<std::string, ArgValue>>& given) {
  std::map<std::string, ArgValue> values;
  for (const auto& [name, value] : given) {
    // An init-capture: clang 15 cannot capture structured bindings.
    const auto spec = std::find_if(
        specs.begin(), specs.end(), [&key = name](const ArgSpec& s) {
          return s.name == key;
        });
    if (spec == specs.end()) {
      std::vector<std::string> known;
      for (const ArgSpec& s : specs) known.push_back(s.name);
      std::sort(known.begin(), known.end());
      std::string message = "unknown argument \"" + name + "\"";
      if (known.empty()) {
        throw ArgumentError(name, message + "; this scheme takes no arguments");
      }
      const std::string hint = closest_match(name, known);
      message += hint.empty() ? ";" : "; did you mean \"" + hint + "\"?";
      throw ArgumentError(name, message + " known: " + join_comma(known));
    }
    if (values.contains(name)) {
      throw ArgumentError(name, "argument \"" + name + "\" is given twice");
    }
    values.emplace(name, convert(*spec, value));
  }
  for (const ArgSpec& spec : specs) {
    if (values.contains(spec.name)) continue;
    if (!spec.default_value) {
      throw ArgumentError(
          spec.name, "missing required argument \"" + spec.name + "\"");
    }
    // Canonical like a given value: a default "FAN_OUT" reaches the factory
    // as "fan_out" (defaults were checked when the scheme was registered).
    values.emplace(spec.name, convert(spec, *spec.default_value));
  }
  return Args(std::move(values));
}

std::string to_string(const ArgValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    return std::to_string(*i);
  }
  if (const auto* d = std::get_if<double>(&value)) return format_double(*d);
  if (const auto* p = std::get_if<IntPair>(&value)) {
    return "[" + std::to_string((*p)[0]) + ", " + std::to_string((*p)[1]) + "]";
  }
  if (const auto* l = std::get_if<IntList>(&value)) {
    std::string out = "[";
    for (std::size_t i = 0; i < l->size(); ++i) {
      out += (i == 0 ? "" : ", ") + std::to_string((*l)[i]);
    }
    return out + "]";
  }
  std::string out = "\"";
  for (const char c : std::get<std::string>(value)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string_view to_string(ArgType type) {
  switch (type) {
    case ArgType::Number:
      return "number";
    case ArgType::Integer:
      return "integer";
    case ArgType::Boolean:
      return "boolean";
    case ArgType::String:
      return "string";
    case ArgType::IntegerPair:
      return "int_pair";
    case ArgType::IntegerList:
      return "int_list";
  }
  return "unknown";
}

}  // namespace initforge
