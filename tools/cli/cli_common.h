// SPDX-License-Identifier: Apache-2.0
#pragma once

// Pieces shared by the sub-commands: plugin loading options and parsing of
// the textual arguments CLI11 cannot check by itself.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "framework/core/shape.h"
#include "framework/init/args.h"
#include "framework/plugin/plugin_search.h"
#include "framework/plugin/registry.h"

namespace initforge::cli {

/// --plugin-dir DIR..., --no-builtin-plugins, --allow-unsafe-plugin-dir and,
/// for commands that read a config, --trust-config-plugins.
struct PluginOptions {
  std::vector<std::string> dirs;
  bool no_builtin = false;
  bool allow_unsafe = false;
  bool trust_config = false;  // load a config's plugins.paths without consent
};
void add_plugin_options(CLI::App& command, PluginOptions& options);
/// add_plugin_options plus --trust-config-plugins (validate, run, train).
void add_config_plugin_options(CLI::App& command, PluginOptions& options);

/// What was loaded, in load order, and how long it took.
struct LoadedPlugins {
  std::vector<std::string> dirs;       // every location searched, in order
  std::vector<std::string> libraries;  // every library loaded, in order
  double seconds = 0;
  std::vector<PluginLocation> locations = {};  // `dirs` with who named each
  std::vector<LoadedLibrary> loaded = {};      // `libraries` with named_by
};

/// Loads the built-in directory (unless disabled), INITFORGE_PLUGIN_PATH,
/// then each --plugin-dir (load_plugin_locations: unsafe ones refused unless
/// --allow-unsafe-plugin-dir).
LoadedPlugins load_plugins(const PluginOptions& options, Registry& registry);

/// load_plugins with each config's plugins.paths between
/// INITFORGE_PLUGIN_PATH and --plugin-dir.
LoadedPlugins load_plugins(
    const PluginOptions& options,
    const std::vector<PluginLocation>& config_paths,
    Registry& registry);

/// "3,4" -> Shape{3, 4}; UsageError / ShapeError naming --shape otherwise.
Shape parse_shape(std::string_view text);

/// --seed: an integer in [0, 2^64); UsageError otherwise.
std::uint64_t parse_seed_option(const std::string& text);

/// "mode=fan_out" -> {"mode", "fan_out"}; the value is JSON or a bare word.
std::pair<std::string, ArgValue> parse_key_value(std::string_view text);

/// printf-style "%.6g" of a double, "nan" for NaN.
std::string number_text(double value);

/// An argument's bounds and choices: ">= 1, <= 8", "one of none, tanh".
std::string constraint_text(const ArgSpec& spec);

}  // namespace initforge::cli
