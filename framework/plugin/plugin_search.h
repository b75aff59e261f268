// SPDX-License-Identifier: Apache-2.0
#pragma once

// Plugin discovery. Loading a shared library runs its code, so only
// locations someone named are searched (never the working directory, never
// LD_LIBRARY_PATH), and each named directory and library must be safe: not
// writable by group or others, owned by the effective user or root.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/core/export.h"
#include "framework/plugin/registry.h"

namespace initforge {

/// The environment variable listing extra plugin locations, colon-separated.
inline constexpr const char* kPluginPathVariable = "INITFORGE_PLUGIN_PATH";

/// A directory (every lib*.so in it) or one library file, and who named it:
/// "built-in", "--plugin-dir", "INITFORGE_PLUGIN_PATH",
/// "configs/x.json: /plugins/paths/0".
struct PluginLocation {
  std::filesystem::path path;
  std::string named_by;
  /// When set, runs on each library's open descriptor before it is loaded
  /// and throws PluginError to refuse it (a config's plugins: consent).
  std::function<void(const std::filesystem::path& library, int fd)> verify = {};
};

/// A library that was loaded and the `named_by` of the location it was in.
struct LoadedLibrary {
  std::filesystem::path path;
  std::string named_by;
};

/// Where plugins come from, before ordering.
struct PluginSources {
  bool builtin = true;                       // false: --no-builtin-plugins
  std::string plugin_path;                   // INITFORGE_PLUGIN_PATH value
  std::vector<PluginLocation> config_paths;  // each config's plugins.paths
  std::vector<std::filesystem::path> plugin_dirs;  // each --plugin-dir
};

/// "a::b:" -> locations a and b named by INITFORGE_PLUGIN_PATH (empty entries
/// are ignored: unlike PATH they never mean the working directory).
INITFORGE_API std::vector<PluginLocation> parse_plugin_path(
    std::string_view value);

/// The value of INITFORGE_PLUGIN_PATH, "" when unset.
INITFORGE_API std::string plugin_path_from_environment();

/// The search order: the built-in directory (unless disabled),
/// INITFORGE_PLUGIN_PATH, each config's plugins.paths, each --plugin-dir.
INITFORGE_API std::vector<PluginLocation> plugin_search_order(
    const PluginSources& sources);

/// Why `path` is unsafe to load from ("" when safe): writable by group or
/// others (mode in octal), or owned by neither the effective user nor root.
/// Follows symbolic links (stat), as loading does.
INITFORGE_API std::string plugin_path_unsafe_reason(
    const std::filesystem::path& path);

/// Throws PluginError naming `path`, `named_by`, the reason and the fixes
/// (chmod go-w / chown, or --allow-unsafe-plugin-dir) when unsafe.
INITFORGE_API void check_plugin_path_safe(
    const std::filesystem::path& path, const std::string& named_by);

/// The libraries a location holds: a directory's lib*.so files in name
/// order (no recursion), or the one library file. PluginError naming who
/// named it when it does not exist or cannot be listed.
INITFORGE_API std::vector<std::filesystem::path> plugin_location_libraries(
    const PluginLocation& location);

/// Loads each location in order: a directory's lib*.so files in name order
/// (no recursion), or the one library file. A library already loaded (the
/// same canonical file, from this call or earlier into `registry`) is
/// skipped. Each directory is checked by check_plugin_path_safe and each
/// library on its open descriptor, with the directories above it (ssh's
/// StrictModes), unless `allow_unsafe`; then the location's `verify` runs. A
/// location that does not exist is a PluginError naming who named it. Returns
/// what was loaded, in load order.
INITFORGE_API std::vector<LoadedLibrary> load_plugin_locations(
    const std::vector<PluginLocation>& locations,
    Registry& registry,
    bool allow_unsafe = false);

}  // namespace initforge
