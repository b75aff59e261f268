// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "framework/core/export.h"
#include "framework/model/config.h"

namespace initforge {

/// Reads and validates a model config (schema: configs/README.md). Throws
/// IoError when the file cannot be read and ConfigError("file: /pointer:
/// expected X; got Y") for malformed JSON (with line and column), unknown or
/// misspelled keys and layer types ("did you mean"), wrong value types,
/// non-positive sizes, duplicate names and bad `inputs`. Scheme names and
/// arguments need the plugins: check_init_specs (init_check.h) does those.
INITFORGE_API ModelConfig load_config(const std::filesystem::path& file);

/// load_config on text already read: `file` labels messages and `base_dir`
/// is where relative plugin paths start.
INITFORGE_API ModelConfig parse_config(
    std::string_view text,
    const std::string& file,
    const std::filesystem::path& base_dir);

}  // namespace initforge
