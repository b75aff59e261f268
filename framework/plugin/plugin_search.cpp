// SPDX-License-Identifier: Apache-2.0
// Plugin discovery: which locations, in what order, and whether they are safe
// to load from. The loading itself is load_plugin's.
#include "framework/plugin/plugin_search.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <system_error>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "framework/core/error.h"
#include "framework/plugin/loader.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;

// "uid 1000 (alice)", or "uid 1000" when the user database does not know it.
std::string user_text(uid_t uid) {
  std::string text = "uid " + std::to_string(uid);
  if (const passwd* pw = ::getpwuid(uid); pw != nullptr && pw->pw_name) {
    text += std::string(" (") + pw->pw_name + ")";
  }
  return text;
}

// The name chown accepts for the effective user (its uid when unnamed).
std::string owner_name() {
  const uid_t uid = ::geteuid();
  if (const passwd* pw = ::getpwuid(uid); pw != nullptr && pw->pw_name) {
    return pw->pw_name;
  }
  return std::to_string(uid);
}

// PATH as a shell word, so the suggested command can be pasted.
std::string shell_word(const std::string& text) {
  const bool plain =
      !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::strchr("_./+-=,:@%", c) != nullptr;
      });
  if (plain) return text;
  std::string out = "'";
  for (const char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Verdict {
  std::string reason;  // "" when safe
  bool writable = false;
  bool foreign = false;
};

Verdict judge(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {std::string("cannot be checked: ") + std::strerror(errno)};
  }
  Verdict v;
  const mode_t mode = st.st_mode;
  if ((mode & (S_IWGRP | S_IWOTH)) != 0) {
    char octal[16];
    std::snprintf(
        octal, sizeof octal, "%04o", static_cast<unsigned>(mode & 07777));
    const char* who = (mode & S_IWGRP) && (mode & S_IWOTH) ? "group and others"
                      : (mode & S_IWGRP)                   ? "group"
                                                           : "others";
    v.writable = true;
    v.reason = std::string("is writable by ") + who + " (mode " + octal + ")";
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    v.foreign = true;
    v.reason += (v.reason.empty() ? "is owned by " : " and owned by ") +
                user_text(st.st_uid) + ", not by you (" +
                user_text(::geteuid()) + ") or root";
  }
  return v;
}

// Canonical file for "already loaded?"; the path itself if it cannot be.
fs::path identity(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::canonical(path, ec);
  return ec ? path.lexically_normal() : canonical;
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
  const Verdict v = judge(path);
  if (v.reason.empty()) return;
  std::error_code ec;
  const bool dir = fs::is_directory(path, ec);
  const std::string word = shell_word(path.string());
  std::string fix;
  if (v.writable) fix = "chmod go-w " + word;
  if (v.foreign) {
    fix += (fix.empty() ? "" : " and ") + std::string("chown ") +
           shell_word(owner_name()) + " " + word;
  }
  if (fix.empty()) fix = "make it readable";
  throw PluginError(
      path.string(),
      std::string("refusing to load ") +
          (dir ? "plugins from this directory" : "this plugin library") +
          " (named by " + named_by + "): it " + v.reason +
          "; loading a plugin library runs its code, so whoever else can "
          "change it could run code as you. Fix: " +
          fix + ", or pass --allow-unsafe-plugin-dir to load it anyway");
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
    if (!allow_unsafe) check_plugin_path_safe(location.path, location.named_by);
    const std::vector<fs::path> libraries =
        fs::is_directory(status) ? list_libraries(location)
                                 : std::vector<fs::path>{location.path};
    for (const fs::path& library : libraries) {
      if (!seen.insert(identity(library)).second) continue;
      if (!allow_unsafe && library != location.path) {
        check_plugin_path_safe(library, location.named_by);
      }
      load_plugin(library, registry);
      loaded.push_back({library, location.named_by});
    }
  }
  return loaded;
}

}  // namespace initforge
