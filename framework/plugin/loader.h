// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <functional>
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

/// What load_plugin checks on the descriptor it opened, before loading the
/// file through /proc/self/fd/N (so the file checked is the file loaded).
struct PluginLoadChecks {
  /// Owner and mode of the file (fstat) and of every directory above it
  /// (ssh's StrictModes; sticky directories such as /tmp are fine).
  bool safety = false;
  std::string named_by = "load_plugin";  // who named it, for the messages
  /// Runs on the open descriptor last; throws PluginError to refuse (e.g.
  /// the consent check compares the file's SHA-256 with the trusted one).
  std::function<void(int fd)> verify = {};
};

/// load_plugin after `checks`; a refusal is a PluginError naming `library`.
INITFORGE_API void load_plugin(
    const std::filesystem::path& library,
    Registry& registry,
    const PluginLoadChecks& checks);

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
