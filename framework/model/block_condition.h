// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: the "when" of a block's shortcut, a small
// boolean expression over the block's arguments:
//   stride != 1 or in != out
// Operands: argument names, integers, decimals, true/false, 'strings';
// comparisons == != < <= > >=; and, or, not; parentheses.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace initforge {

/// Evaluates `expression` with the argument values `args`. Throws
/// InvalidArgument describing the first problem (a syntax error, an unknown
/// argument, a comparison of a string with a number, a non-boolean result).
bool evaluate_condition(
    const std::string& expression,
    const std::map<std::string, nlohmann::json>& args);

}  // namespace initforge
