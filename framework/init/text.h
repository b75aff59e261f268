// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "framework/core/export.h"

namespace initforge {

/// ASCII lower-case copy.
INITFORGE_API std::string to_lower(std::string_view text);

/// The candidate closest to `word` by edit distance, or "" when none is
/// close enough to be a plausible typo (used for "did you mean" hints).
INITFORGE_API std::string closest_match(
    std::string_view word, std::span<const std::string> candidates);

/// "a, b, c": the items joined by ", " (for "expected one of ..." lists).
INITFORGE_API std::string join_comma(std::span<const std::string> items);

/// Shortest decimal text that reads back as the same double ("0.1", "2").
INITFORGE_API std::string format_double(double value);

}  // namespace initforge
