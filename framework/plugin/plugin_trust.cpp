// SPDX-License-Identifier: Apache-2.0
#include "framework/plugin/plugin_trust.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <system_error>

#include "framework/core/error.h"
#include "framework/io/sha256.h"
#include "framework/plugin/path_safety.h"
#include "framework/plugin/plugin_search.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

fs::path canonical_or_throw(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::canonical(path, ec);
  if (ec) {
    throw UsageError(path.string() + ": cannot be trusted: " + ec.message());
  }
  return canonical;
}

// The record for `dir` in `dirs`, appended (empty) when there is none.
TrustedDirectory& record_for(
    std::vector<TrustedDirectory>& dirs, const std::string& dir) {
  const auto it =
      std::find_if(dirs.begin(), dirs.end(), [&](const TrustedDirectory& d) {
        return d.path == dir;
      });
  if (it != dirs.end()) return *it;
  dirs.push_back({dir, "", {}});
  return dirs.back();
}

}  // namespace

fs::path trust_store_path() {
  const fs::path tail = fs::path("initforge") / "trusted.json";
  // The XDG base directory spec: a relative value is to be ignored.
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME");
      xdg != nullptr && fs::path(xdg).is_absolute()) {
    return fs::path(xdg) / tail;
  }
  if (const char* home = std::getenv("HOME");
      home != nullptr && fs::path(home).is_absolute()) {
    return fs::path(home) / ".config" / tail;
  }
  throw UsageError(
      "cannot tell where to keep trusted plugin directories: set "
      "XDG_CONFIG_HOME or HOME to an absolute path");
}

TrustedDirectory trust_plugin_location(
    const fs::path& location, const fs::path& store) {
  // Keyed as loading looks them up: the canonical directory and the file
  // name as listed (a library named directly keeps its own name).
  const fs::path absolute = fs::absolute(location);
  std::error_code ec;
  const bool is_dir = fs::is_directory(canonical_or_throw(absolute), ec);
  const fs::path dir = is_dir ? canonical_or_throw(absolute)
                              : canonical_or_throw(absolute.parent_path());
  std::vector<fs::path> libraries;
  try {
    libraries = plugin_location_libraries(
        {is_dir ? dir : dir / absolute.filename(), "initforge trust"});
  } catch (const PluginError& e) {
    throw UsageError(e.what());
  }
  if (libraries.empty()) {
    throw UsageError(
        location.string() +
        ": no plugin libraries (lib*.so) to trust in this directory");
  }
  std::vector<TrustedDirectory> dirs = read_trusted_directories(store);
  TrustedDirectory& record = record_for(dirs, dir.string());
  if (is_dir) record.libraries.clear();
  for (const fs::path& library : libraries) {
    record.libraries[library.filename().string()] = sha256_hex_of_file(library);
  }
  record.trusted_at = utc_now();
  const TrustedDirectory out = record;
  write_trusted_directories(store, dirs);
  return out;
}

bool revoke_plugin_directory(const fs::path& dir, const fs::path& store) {
  std::error_code ec;
  fs::path key = fs::canonical(dir, ec);
  if (ec) key = fs::absolute(dir).lexically_normal();
  std::vector<TrustedDirectory> dirs = read_trusted_directories(store);
  const auto removed = std::erase_if(
      dirs, [&](const TrustedDirectory& d) { return d.path == key.string(); });
  if (removed == 0) return false;
  write_trusted_directories(store, dirs);
  return true;
}

PluginConsent::PluginConsent(std::vector<TrustedDirectory> trusted)
    : trusted_(std::move(trusted)) {}

void PluginConsent::require(
    const fs::path& library,
    const std::string& sha256,
    const fs::path& location,
    const std::string& named_by) const {
  std::error_code ec;
  fs::path dir = fs::canonical(library.parent_path(), ec);
  if (ec) dir = library.parent_path();
  const std::string name = library.filename().string();
  std::string why =
      "you have not trusted it, and loading it runs code its author chose "
      "as you";
  for (const TrustedDirectory& trusted : trusted_) {
    if (trusted.path != dir.string()) continue;
    const auto it = trusted.libraries.find(name);
    if (it == trusted.libraries.end()) {
      why = "it was not in " + trusted.path + " when you trusted it (" +
            trusted.trusted_at + "), and loading it runs its code as you";
    } else if (it->second == sha256) {
      return;
    } else {
      why = "it changed since you trusted it (" + trusted.trusted_at +
            "; SHA-256 was " + it->second.substr(0, 16) + "..., now " +
            sha256.substr(0, 16) +
            "...), and loading it runs its code as you; review it first";
    }
  }
  throw PluginError(
      library.string(),
      "refusing to load a plugin library a config brings (named by " +
          named_by + "): " + why + ". To allow it: `initforge trust " +
          detail::shell_word(location.string()) +
          "` (remembered until a library changes), or pass "
          "--trust-config-plugins to allow it for this command only");
}

}  // namespace initforge
