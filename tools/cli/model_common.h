// SPDX-License-Identifier: Apache-2.0
#pragma once

// Pieces shared by `validate` and `run`: reading a config together with the
// plugins it needs.

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "framework/model/config.h"
#include "framework/model/config_loader.h"
#include "framework/plugin/registry.h"

#include "tools/cli/cli_common.h"

namespace initforge::cli {

/// Reads CONFIG, loads the built-in plugins (unless disabled), the config's
/// plugins.paths and each --plugin-dir (a library loaded once even when two
/// of these name it), then checks every init spec against the schemes.
/// ConfigError / IoError for the config, PluginError for a library.
ModelConfig load_model_config(
    const std::string& path, const PluginOptions& plugins, Registry& registry);

/// load_model_config for a config that may list "variants"
/// (load_experiment): the plugins of every variant are loaded once and each
/// variant's init specs are checked.
std::vector<Variant> load_experiment_configs(
    const std::string& path, const PluginOptions& plugins, Registry& registry);

/// "--batch" text -> int64 >= 1; UsageError otherwise.
std::int64_t parse_batch_option(const std::string& text);

}  // namespace initforge::cli
