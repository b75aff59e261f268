// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "framework/core/export.h"

namespace initforge {

/// Two integers, (height, width): a layer's kernel size, stride, padding.
using IntPair = std::array<std::int64_t, 2>;

/// Integers of any count: LayerNorm's normalized_shape.
using IntList = std::vector<std::int64_t>;

/// One argument value, as a config or the command line gives it. New
/// alternatives go last so the others keep their index for built plugins
/// (IntList is no larger than std::string: the variant's size is unchanged).
using ArgValue =
    std::variant<bool, std::int64_t, double, std::string, IntPair, IntList>;

/// Arguments as given, in order: name -> value.
using ArgList = std::vector<std::pair<std::string, ArgValue>>;

enum class ArgType {
  Number,   // double; an integer literal is accepted and converted
  Integer,  // int64
  Boolean,
  String,       // usually with `choices`
  IntegerPair,  // an integer n (meaning [n, n]) or [height, width]; bounds
                // apply to both
  IntegerList,  // an integer n (meaning [n]) or a non-empty list of
                // integers; bounds apply to each
};

/// Declared schema of one scheme argument: what `initforge plugins --json`
/// prints and what configs are validated against before any allocation.
struct INITFORGE_API ArgSpec {
  std::string name;
  ArgType type = ArgType::Number;
  std::optional<ArgValue> default_value;  // nullopt: the argument is required
  std::optional<double> min;              // Number/Integer: inclusive bounds
  std::optional<double> max;
  bool min_exclusive = false;        // min is a strict bound (e.g. std > 0)
  std::vector<std::string> choices;  // String: allowed values
  bool case_insensitive = false;     // String: choices compare ignoring case
  std::string doc;                   // one line

  // Builders keep plugin code short: ArgSpec::number("gain", 1.0, "...").
  static ArgSpec number(std::string name, double def, std::string doc);
  static ArgSpec required_number(std::string name, std::string doc);
  static ArgSpec integer(std::string name, std::int64_t def, std::string doc);
  static ArgSpec required_integer(std::string name, std::string doc);
  static ArgSpec int_pair(std::string name, IntPair def, std::string doc);
  static ArgSpec required_int_pair(std::string name, std::string doc);
  static ArgSpec required_int_list(std::string name, std::string doc);
  static ArgSpec boolean(std::string name, bool def, std::string doc);
  static ArgSpec choice(
      std::string name,
      std::string def,
      std::vector<std::string> choices,
      std::string doc);
  ArgSpec& at_least(double bound);
  ArgSpec& greater_than(double bound);
  ArgSpec& at_most(double bound);
  ArgSpec& ignore_case();
};

/// The bound, validated arguments of one scheme instance: every declared
/// argument is present (defaults applied), with its declared type.
class INITFORGE_API Args {
 public:
  Args() = default;
  explicit Args(std::map<std::string, ArgValue> values);

  double number(const std::string& name) const;
  std::int64_t integer(const std::string& name) const;
  bool boolean(const std::string& name) const;
  const std::string& string(const std::string& name) const;
  IntPair int_pair(const std::string& name) const;
  const IntList& int_list(const std::string& name) const;
  bool has(const std::string& name) const;
  const std::map<std::string, ArgValue>& values() const {
    return values_;
  }

 private:
  const ArgValue& get(const std::string& name) const;
  std::map<std::string, ArgValue> values_;
};

/// Checks `given` against `specs` and applies defaults. Throws ArgumentError
/// (key = the offending argument) for an unknown name (with a "did you mean"
/// hint), a wrong type, a value out of range or not among the choices, or a
/// missing required argument. Messages read "expected X; got Y".
INITFORGE_API Args bind_args(
    const std::vector<ArgSpec>& specs,
    const std::vector<std::pair<std::string, ArgValue>>& given);

/// JSON-like text of a value: 0.5, 3, true, "fan_in".
INITFORGE_API std::string to_string(const ArgValue& value);
INITFORGE_API std::string_view to_string(ArgType type);
/// What a value of this type looks like: "an integer or [height, width]".
INITFORGE_API std::string describe(ArgType type);

}  // namespace initforge
