// SPDX-License-Identifier: Apache-2.0
#pragma once

// Pieces shared by `validate`, `run` and `train`: reading a config (or an
// experiment's variants) together with the plugins it needs.

#include <cstdint>
#include <optional>
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

/// A config file as `validate` sees it: the base and every variant.
struct ConfigWithVariants {
  ModelConfig base;  // the file without "variants": what `run` uses
  std::vector<Variant> variants;  // empty when the file lists none
};

/// load_model_config and load_experiment_configs in one: the plugins of the
/// base and of every variant are loaded once and every init spec is checked
/// (a variant's errors under "FILE (variant NAME)").
ConfigWithVariants load_config_with_variants(
    const std::string& path, const PluginOptions& plugins, Registry& registry);

/// A whole-model load: FILE (`flag`, "--load-weights" or "--init-from")
/// and --strict-load, registered on `command`.
struct LoadOptions {
  std::string file;
  bool strict = false;
};
void add_load_options(
    CLI::App& command,
    LoadOptions& o,
    const std::string& flag,
    const std::string& help);
/// The WholeModelLoad to set in the config; nullopt without FILE.
/// UsageError for --strict-load without FILE.
std::optional<WholeModelLoad> whole_model_load(
    const LoadOptions& o, const std::string& flag);

/// "--batch" text -> int64 >= 1; UsageError otherwise.
std::int64_t parse_batch_option(const std::string& text);

}  // namespace initforge::cli
