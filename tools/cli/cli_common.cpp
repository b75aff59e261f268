// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/cli_common.h"

#include <charconv>
#include <chrono>
#include <cstdio>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/init/text.h"
#include "framework/io/arg_text.h"

namespace initforge::cli {

void add_plugin_options(CLI::App& command, PluginOptions& options) {
  command.add_option(
      "--plugin-dir",
      options.dirs,
      "also load every lib*.so plugin in DIR, or the library DIR "
      "(repeatable; after INITFORGE_PLUGIN_PATH)");
  command.add_flag(
      "--no-builtin-plugins",
      options.no_builtin,
      "do not load the built-in plugins (test a plugin alone)");
  command.add_flag(
      "--allow-unsafe-plugin-dir",
      options.allow_unsafe,
      "load plugins even from directories or libraries writable by others "
      "or not owned by you or root (loading a plugin runs its code)");
}

void add_config_plugin_options(CLI::App& command, PluginOptions& options) {
  add_plugin_options(command, options);
  command.add_flag(
      "--trust-config-plugins",
      options.trust_config,
      "load the plugin libraries the config names (plugins.paths) for this "
      "command without `initforge trust`; loading them runs their code");
}

LoadedPlugins load_plugins(const PluginOptions& options, Registry& registry) {
  return load_plugins(options, {}, registry);
}

LoadedPlugins load_plugins(
    const PluginOptions& options,
    const std::vector<PluginLocation>& config_paths,
    Registry& registry) {
  PluginSources sources;
  sources.builtin = !options.no_builtin;
  sources.plugin_path = plugin_path_from_environment();
  sources.config_paths = config_paths;
  sources.plugin_dirs.assign(options.dirs.begin(), options.dirs.end());
  LoadedPlugins loaded;
  loaded.locations = plugin_search_order(sources);
  for (const PluginLocation& location : loaded.locations) {
    loaded.dirs.push_back(location.path.string());
  }
  const auto start = std::chrono::steady_clock::now();
  loaded.loaded =
      load_plugin_locations(loaded.locations, registry, options.allow_unsafe);
  loaded.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  for (const LoadedLibrary& library : loaded.loaded) {
    loaded.libraries.push_back(library.path.string());
  }
  return loaded;
}

Shape parse_shape(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.empty()) {
    throw UsageError("--shape: " + expected_got("sizes like 64,3,3,3", "\"\""));
  }
  std::vector<std::int64_t> dims;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(
        start,
        comma == std::string_view::npos ? text.size() - start : comma - start);
    const std::string where =
        "--shape " + quoted + ": dimension " + std::to_string(dims.size());
    std::int64_t dim = 0;
    const auto [ptr, ec] =
        std::from_chars(item.data(), item.data() + item.size(), dim);
    if (ec == std::errc::result_out_of_range) {
      throw ShapeError(with_got(where + " is too large", item));
    }
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size()) {
      throw UsageError(
          where + ": " +
          expected_got("a size >= 0", "\"" + std::string(item) + "\""));
    }
    if (dim < 0) {
      throw ShapeError(
          where + ": " + expected_got("a size >= 0", std::to_string(dim)));
    }
    dims.push_back(dim);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  try {
    return Shape(std::span<const std::int64_t>(dims));
  } catch (const ShapeError& e) {
    throw ShapeError("--shape " + quoted + ": " + e.what());
  }
}

std::pair<std::string, ArgValue> parse_key_value(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw UsageError(
        "--arg: " +
        expected_got(
            "KEY=VALUE (e.g. mode=fan_out)", "\"" + std::string(text) + "\""));
  }
  const std::string key(text.substr(0, eq));
  try {
    return {key, parse_arg_value(text.substr(eq + 1))};
  } catch (const UsageError& e) {
    throw UsageError("--arg " + key + ": " + e.what());
  }
}

std::string constraint_text(const ArgSpec& spec) {
  std::string text;
  if (spec.min) {
    text += (spec.min_exclusive ? "> " : ">= ") + format_double(*spec.min);
  }
  if (spec.max)
    text += (text.empty() ? "<= " : ", <= ") + format_double(*spec.max);
  if (!spec.choices.empty()) {
    text += "one of";
    for (std::size_t i = 0; i < spec.choices.size(); ++i) {
      text += (i ? ", " : " ") + spec.choices[i];
    }
    if (spec.case_insensitive) text += " (any case)";
  }
  return text;
}

std::string number_text(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::uint64_t parse_seed_option(const std::string& text) {
  std::uint64_t seed = 0;
  const auto [ptr, ec] =
      std::from_chars(text.data(), text.data() + text.size(), seed);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    throw UsageError(
        "--seed: " +
        expected_got("an integer in [0, 2^64)", "\"" + text + "\""));
  }
  return seed;
}

}  // namespace initforge::cli
