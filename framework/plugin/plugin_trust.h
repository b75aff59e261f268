// SPDX-License-Identifier: Apache-2.0
#pragma once

// Consent for the plugin libraries a config brings (its plugins.paths), the
// way direnv's `allow` or an editor's workspace trust does it: a config can
// come from anyone, and loading a library runs its code. `initforge trust`
// records a directory and each library's SHA-256; a library not recorded,
// or changed since, is refused. Built-ins, INITFORGE_PLUGIN_PATH and
// --plugin-dir are named by the user and need no consent.

#include <filesystem>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/io/trust_store.h"

namespace initforge {

/// $XDG_CONFIG_HOME/initforge/trusted.json (when XDG_CONFIG_HOME is an
/// absolute path), else $HOME/.config/initforge/trusted.json. UsageError
/// when neither variable is usable.
INITFORGE_API std::filesystem::path trust_store_path();

/// Trusts `location`: a directory (every lib*.so in it, replacing what was
/// recorded for it) or one library file (added to its directory's record).
/// Records canonical paths and SHA-256s in `store`, written atomically.
/// Returns the directory's record. UsageError when `location` does not
/// exist or holds no plugin library.
INITFORGE_API TrustedDirectory trust_plugin_location(
    const std::filesystem::path& location, const std::filesystem::path& store);

/// Removes `dir`'s record (its canonical path, or the path as given once it
/// no longer exists). Returns false when it was not trusted.
INITFORGE_API bool revoke_plugin_directory(
    const std::filesystem::path& dir, const std::filesystem::path& store);

/// The consent check a config's libraries go through before loading.
class INITFORGE_API PluginConsent {
 public:
  explicit PluginConsent(std::vector<TrustedDirectory> trusted);

  /// Throws PluginError naming `library`, `named_by` ("cfg.json:
  /// /plugins/paths/0"), why (not trusted / changed since trusted) and the
  /// two ways to allow it (`initforge trust LOCATION`,
  /// --trust-config-plugins), unless the canonical directory of `library`
  /// is trusted with this `sha256` for its file name.
  void require(
      const std::filesystem::path& library,
      const std::string& sha256,
      const std::filesystem::path& location,
      const std::string& named_by) const;

 private:
  std::vector<TrustedDirectory> trusted_;
};

}  // namespace initforge
