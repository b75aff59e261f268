// SPDX-License-Identifier: Apache-2.0
#pragma once

// The one rule every fuzz target checks: bad input ends in one of
// initforge's bad-input errors (the CLI's exit 2), never anything else.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "tests/fuzz/entry_points.h"

namespace initforge::fuzz {

/// Runs `entry`; nullopt when it returned or threw UsageError,
/// InvalidArgument, ShapeError, ConfigError, IoError or MemoryError,
/// otherwise "<type>: <what>" of what it threw (a finding).
std::optional<std::string> unexpected_failure(
    const std::function<void()>& entry);

/// One libFuzzer input through `entry`; prints the finding and aborts (so
/// libFuzzer saves the input) when unexpected_failure reports one.
int run_one(
    void (*entry)(std::string_view, Context&),
    const std::uint8_t* data,
    std::size_t size);

}  // namespace initforge::fuzz
