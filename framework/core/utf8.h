// SPDX-License-Identifier: Apache-2.0
#pragma once

// UTF-8 checks for text that echoes outside bytes (file contents, names,
// command-line arguments) into messages and JSON, which must stay valid
// UTF-8 whatever the input was.

#include <cstddef>
#include <string>
#include <string_view>

#include "framework/core/export.h"

namespace initforge {

/// Offset of the first byte that does not start a well-formed UTF-8
/// sequence (RFC 3629: no overlongs, surrogates or code points past
/// U+10FFFF), or std::string_view::npos when `text` is valid UTF-8.
INITFORGE_API std::size_t first_invalid_utf8(std::string_view text);

/// `text` with every byte outside a well-formed UTF-8 sequence written as
/// \xNN (two lowercase hex digits); valid text is returned unchanged, so
/// escaping twice is escaping once.
INITFORGE_API std::string escape_invalid_utf8(std::string_view text);

}  // namespace initforge
