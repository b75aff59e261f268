// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "framework/core/export.h"
#include "framework/init/args.h"

namespace initforge {

/// The value of a command-line `--arg KEY=VALUE`: JSON text (0.2, 3, true,
/// "fan_out") or, when it is not valid JSON, the bare word as a string
/// (fan_out). Throws UsageError for null, arrays, objects and integers that
/// do not fit in int64.
INITFORGE_API ArgValue parse_arg_value(std::string_view text);

}  // namespace initforge
