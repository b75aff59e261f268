// SPDX-License-Identifier: Apache-2.0
#pragma once

// Comparing two JSON documents given as text (a run's recorded config and
// the current one) without exposing a JSON type.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/core/export.h"

namespace initforge {

/// `text` re-serialized compactly with sorted keys: equal documents give
/// equal strings. nullopt when `text` is not JSON.
INITFORGE_API std::optional<std::string> canonical_json(std::string_view text);

/// One place where two documents differ.
struct JsonDifference {
  std::string pointer;                // JSON pointer, e.g. "/train/epochs"
  std::optional<std::string> before;  // compact JSON there; nullopt: unset
  std::optional<std::string> after;
};

/// Where `after` differs from `before`: the paths of their RFC 6902 diff
/// in its order (an element appended to an array is at ".../-", unset on
/// both sides). Empty for equal documents; nullopt when either is not JSON.
INITFORGE_API std::optional<std::vector<JsonDifference>> json_differences(
    std::string_view before, std::string_view after);

}  // namespace initforge
