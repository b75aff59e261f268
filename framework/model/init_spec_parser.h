// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: {"scheme": NAME, ARG: VALUE, ...} objects.

#include <span>
#include <string_view>

#include "framework/init/args.h"
#include "framework/model/config.h"
#include "framework/model/json_cursor.h"

namespace initforge {

/// A JSON scalar as an argument: integer -> int64, float -> double, bool,
/// string. null, arrays and objects fail at the value's pointer.
ArgValue parse_arg_value(const JsonCursor& value);

/// Reads an init object: "scheme" (required) and every other key except
/// `reserved` (e.g. a rule's "pattern") as an argument, sorted by name.
/// Whether the scheme exists and the arguments fit is check_init_specs' job.
InitSpec parse_init_spec(
    const JsonCursor& spec, std::span<const std::string_view> reserved = {});

}  // namespace initforge
