// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: {"scheme": NAME, ARG: VALUE, ...} objects.

#include <filesystem>
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

/// Where an init object may load from a file: a layer's init takes
/// {"from", "tensor"}, a rule {"pattern", "from", "missing"}; post_init
/// entries cannot load.
enum class LoadKeys { Layer, Rule, None };

/// Reads an init object: "scheme" (required) and every other key except
/// `reserved` (e.g. a rule's "pattern") as an argument, sorted by name; or,
/// when it has "from" and `load` allows it, the file to load from (a path
/// relative to `base_dir`) and nothing else. Whether the scheme exists and
/// the arguments fit is check_init_specs' job; whether the file holds the
/// tensor is plan_init's.
InitSpec parse_init_spec(
    const JsonCursor& spec,
    std::span<const std::string_view> reserved = {},
    LoadKeys load = LoadKeys::None,
    const std::filesystem::path& base_dir = {});

}  // namespace initforge
