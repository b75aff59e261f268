// SPDX-License-Identifier: Apache-2.0
// `initforge trust DIR | --list | --revoke DIR`: which plugin directories
// configs may load code from (plugin_trust.h). Built-ins, --plugin-dir and
// INITFORGE_PLUGIN_PATH need no trust: the user named them.
#include <cstdio>
#include <memory>
#include <string>

#include "framework/core/error.h"
#include "framework/plugin/plugin_trust.h"

#include "tools/cli/commands.h"

namespace initforge::cli {
namespace {

struct TrustOptions {
  std::string location;
  std::string revoke;
  bool list = false;
};

int run_list(const std::filesystem::path& store) {
  const std::vector<TrustedDirectory> dirs = read_trusted_directories(store);
  std::printf("# %s\n", store.c_str());
  if (dirs.empty()) std::printf("no trusted plugin directories\n");
  for (const TrustedDirectory& dir : dirs) {
    std::printf("%s (trusted %s)\n", dir.path.c_str(), dir.trusted_at.c_str());
    for (const auto& [name, hash] : dir.libraries) {
      std::printf("  %s sha256:%s\n", name.c_str(), hash.c_str());
    }
  }
  return 0;
}

int run_trust(const TrustOptions& o) {
  const int chosen = (o.location.empty() ? 0 : 1) + (o.revoke.empty() ? 0 : 1) +
                     (o.list ? 1 : 0);
  if (chosen != 1) {
    throw UsageError("trust: give exactly one of DIR, --list or --revoke DIR");
  }
  const std::filesystem::path store = trust_store_path();
  if (o.list) return run_list(store);
  if (!o.revoke.empty()) {
    if (!revoke_plugin_directory(o.revoke, store)) {
      throw UsageError(
          "trust --revoke: " + o.revoke +
          " is not trusted (see initforge "
          "trust --list)");
    }
    std::printf("revoked %s\n", o.revoke.c_str());
    return 0;
  }
  const TrustedDirectory dir = trust_plugin_location(o.location, store);
  std::printf(
      "trusted %s: configs may load %zu plugin librar%s from it until one "
      "changes\n",
      dir.path.c_str(),
      dir.libraries.size(),
      dir.libraries.size() == 1 ? "y" : "ies");
  for (const auto& [name, hash] : dir.libraries) {
    std::printf("  %s sha256:%s\n", name.c_str(), hash.c_str());
  }
  return 0;
}

}  // namespace

CommandRunner setup_trust_command(CLI::App& command) {
  auto o = std::make_shared<TrustOptions>();
  command.add_option(
      "dir",
      o->location,
      "plugin directory (or one library) a config names in plugins.paths");
  command.add_flag("--list", o->list, "list the trusted plugin directories");
  command.add_option(
      "--revoke", o->revoke, "forget a trusted plugin directory");
  command.footer(
      "Recorded in $XDG_CONFIG_HOME/initforge/trusted.json (else "
      "~/.config/initforge/trusted.json) with each library's SHA-256; a "
      "library changed since is refused again.");
  return [o] { return run_trust(*o); };
}

}  // namespace initforge::cli
