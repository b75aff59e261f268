// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string_view>

#include "framework/core/export.h"

namespace initforge {

/// Writes `text` to `path` atomically: a temporary file in the same
/// directory, fsync, rename over `path`, fsync of the directory. A reader
/// (or a crash) sees the old or the new file, never part of one. IoError
/// naming `path` on failure.
INITFORGE_API void write_text_atomically(
    const std::filesystem::path& path, std::string_view text);

}  // namespace initforge
