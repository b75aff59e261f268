// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/plugin/registry.h"

namespace initforge {

/// Loads one plugin library into `registry`: opens it with Boost.DLL, checks
/// the entry point exists and its ABI version matches kPluginAbiVersion, and
/// only then registers its schemes. Throws PluginError naming the path for a
/// missing file, a file that is not a shared library, a missing entry point,
/// a wrong ABI version, or a duplicate scheme name.
INITFORGE_API void load_plugin(
    const std::filesystem::path& library, Registry& registry);

/// Loads every shared library (lib*.so) in `dir`, in name order, skipping
/// ones already loaded (load_plugin_locations with one location, so unsafe
/// directories and libraries are refused). Returns the paths loaded. Throws
/// PluginError if `dir` is not a readable directory.
INITFORGE_API std::vector<std::filesystem::path> load_plugin_dir(
    const std::filesystem::path& dir, Registry& registry);

/// Where the built-in plugins are: <dir of the loaded libinitforge_core>/
/// initforge/plugins when it exists (an installed prefix, wherever moved),
/// else the build tree's plugins/ directory baked in at build time.
INITFORGE_API std::filesystem::path builtin_plugin_dir();

}  // namespace initforge
