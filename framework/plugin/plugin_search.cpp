// SPDX-License-Identifier: Apache-2.0
// Plugin discovery: which locations, in what order, and whether they are safe
// to load from. The loading itself is load_plugin's.
#include "framework/plugin/plugin_search.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <system_error>

#include <sys/stat.h>

#include "framework/core/error.h"
#include "framework/plugin/loader.h"
#include "framework/plugin/path_safety.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;

// Canonical file for "already loaded?"; the path itself if it cannot be.
fs::path identity(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::canonical(path, ec);
  return ec ? path.lexically_normal() : canonical;
}

detail::SafetyVerdict judge(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {std::string("cannot be checked: ") + std::strerror(errno)};
  }
  return detail::judge_stat(st);
}

// Every lib*.so directly in `dir` (not directories), in name order.
std::vector<fs::path> list_libraries(const PluginLocation& location) {
  std::error_code ec;
  fs::directory_iterator it(location.path, ec);
  if (ec) {
    throw PluginError(
        location.path.string(),
        "cannot list plugin directory (named by " + location.named_by +
            "): " + ec.message());
  }
  std::vector<fs::path> libraries;
  for (const fs::directory_entry& entry : it) {
    const std::string file = entry.path().filename().string();
    if (file.starts_with("lib") && entry.path().extension() == ".so" &&
        !entry.is_directory(ec)) {
      libraries.push_back(entry.path());
    }
  }
  std::sort(libraries.begin(), libraries.end());
  return libraries;
}

}  // namespace

std::vector<PluginLocation> parse_plugin_path(std::string_view value) {
  std::vector<PluginLocation> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t colon = value.find(':', start);
    if (colon == std::string_view::npos) colon = value.size();
    const std::string_view entry = value.substr(start, colon - start);
    if (!entry.empty()) {
      out.push_back({fs::path(std::string(entry)), kPluginPathVariable});
    }
    start = colon + 1;
  }
  return out;
}

std::string plugin_path_from_environment() {
  const char* value = std::getenv(kPluginPathVariable);
  return value != nullptr ? value : "";
}

std::vector<PluginLocation> plugin_search_order(const PluginSources& sources) {
  std::vector<PluginLocation> out;
  if (sources.builtin) out.push_back({builtin_plugin_dir(), "built-in"});
  for (PluginLocation& location : parse_plugin_path(sources.plugin_path)) {
    out.push_back(std::move(location));
  }
  out.insert(
      out.end(), sources.config_paths.begin(), sources.config_paths.end());
  for (const fs::path& dir : sources.plugin_dirs) {
    out.push_back({dir, "--plugin-dir"});
  }
  return out;
}

std::string plugin_path_unsafe_reason(const fs::path& path) {
  return judge(path).reason;
}

void check_plugin_path_safe(const fs::path& path, const std::string& named_by) {
  const detail::SafetyVerdict v = judge(path);
  if (v.reason.empty()) return;
  std::error_code ec;
  throw PluginError(
      path.string(),
      detail::unsafe_message(path, named_by, v, fs::is_directory(path, ec)));
}

std::vector<fs::path> plugin_location_libraries(
    const PluginLocation& location) {
  std::error_code ec;
  const fs::file_status status = fs::status(location.path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory &&
      ec != std::errc::not_a_directory) {
    throw PluginError(
        location.path.string(),
        "cannot be accessed (named by " + location.named_by +
            "): " + ec.message());
  }
  if (!fs::exists(status)) {
    const bool library = location.path.extension() == ".so";
    throw PluginError(
        location.path.string(),
        std::string(library ? "plugin library" : "plugin directory") +
            " does not exist (named by " + location.named_by + ")");
  }
  return fs::is_directory(status) ? list_libraries(location)
                                  : std::vector<fs::path>{location.path};
}

std::vector<LoadedLibrary> load_plugin_locations(
    const std::vector<PluginLocation>& locations,
    Registry& registry,
    bool allow_unsafe) {
  // Libraries loaded before this call count as loaded too.
  std::set<fs::path> seen;
  for (const std::string& name : registry.names()) {
    const std::string& library = registry.find(name).library_path;
    if (!library.empty()) seen.insert(identity(library));
  }
  std::vector<LoadedLibrary> loaded;
  for (const PluginLocation& location : locations) {
    std::error_code ec;
    // A library named directly is checked on its descriptor by load_plugin.
    if (!allow_unsafe && fs::is_directory(location.path, ec)) {
      check_plugin_path_safe(location.path, location.named_by);
    }
    PluginLoadChecks checks;
    checks.safety = !allow_unsafe;
    checks.named_by = location.named_by;
    for (const fs::path& library : plugin_location_libraries(location)) {
      if (!seen.insert(identity(library)).second) continue;
      if (location.verify) {
        checks.verify = [&](int fd) { location.verify(library, fd); };
      }
      load_plugin(library, registry, checks);
      loaded.push_back({library, location.named_by});
    }
  }
  return loaded;
}

}  // namespace initforge
