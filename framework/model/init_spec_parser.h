// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: {"scheme": NAME, ARG: VALUE, ...} objects.

#include <span>
#include <string_view>

#include "framework/init/args.h"
#include "framework/model/config.h"
#include "framework/model/json_cursor.h"

namespace initforge {

/// A JSON value as an argument: integer -> int64, float -> double, bool,
/// string, [int, int] -> IntPair, any other non-empty array of integers ->
/// IntList. Anything else (null, objects, other arrays) fails at the value's
/// pointer with "expected <what>".
ArgValue parse_arg_value(
    const JsonCursor& value,
    std::string_view what =
        "a number, true/false, a string or a pair of integers");

/// Reads an init object: "scheme" (required) and every other key except
/// `reserved` (e.g. a rule's "pattern") as an argument, sorted by name.
/// Whether the scheme exists and the arguments fit is check_init_specs' job.
InitSpec parse_init_spec(
    const JsonCursor& spec, std::span<const std::string_view> reserved = {});

}  // namespace initforge
