// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "framework/core/export.h"

namespace initforge {

/// Shell-style glob: `*` matches any run of characters (dots included), `?`
/// one character; everything else matches itself. "*.bias", "Linear.*".
/// fnmatch(3) underneath; a pattern or text with a NUL byte (which C strings
/// cannot hold) matches only itself.
INITFORGE_API bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace initforge
