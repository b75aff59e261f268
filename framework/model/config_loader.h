// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "framework/core/export.h"
#include "framework/model/config.h"

namespace initforge {

/// Reads and validates a model config (schema: configs/README.md). Throws
/// IoError when the file cannot be read and ConfigError("file: /pointer:
/// expected X; got Y") for malformed JSON (with line and column), unknown or
/// misspelled keys and layer types ("did you mean"), wrong value types,
/// non-positive sizes, duplicate names and bad `inputs`, and the `train`
/// section. Scheme names and arguments need the plugins: check_init_specs
/// (init_check.h) does those. A config with "variants" yields its base (the
/// file without "variants"), but only if every variant is valid too (see
/// load_experiment), so `validate` checks a whole experiment file.
INITFORGE_API ModelConfig load_config(const std::filesystem::path& file);

/// load_config on text already read: `file` labels messages and `base_dir`
/// is where relative plugin paths start.
INITFORGE_API ModelConfig parse_config(
    std::string_view text,
    const std::string& file,
    const std::filesystem::path& base_dir);

/// One run of an experiment: a config with one variant applied.
struct Variant {
  std::string name;  // the variant's "name"; the config's name without variants
  ModelConfig config;
};

/// Reads a config that may list "variants": each entry is {"name": N, ...}
/// whose other keys form a JSON Merge Patch (RFC 7386) applied to the
/// config without its "variants" key (objects merge, arrays and values
/// replace). Each merged config is validated like load_config; its file
/// label becomes "FILE (variant N)" so messages say which variant failed.
/// The base must be valid by itself too, and names must be unique and match
/// [A-Za-z0-9._-]+ (they name run directories). A config without
/// "variants" yields one Variant named after the config.
INITFORGE_API std::vector<Variant> load_experiment(
    const std::filesystem::path& file);

}  // namespace initforge
