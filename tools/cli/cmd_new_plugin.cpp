// SPDX-License-Identifier: Apache-2.0
// `initforge new-plugin NAME [DIR]`: writes a plugin project (CMakeLists.txt,
// NAME.cpp, README.md; tools/cli/scaffold_templates.cpp) that builds
// unmodified against this initforge's installed package. The files are
// written into a temporary sibling directory that is renamed into place, so
// DIR is either complete or absent.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

#include "framework/core/error.h"
#include "framework/plugin/loader.h"
#include "framework/plugin/registry.h"

#include "tools/cli/commands.h"
#include "tools/cli/install_layout.h"
#include "tools/cli/scaffold_templates.h"

namespace initforge::cli {
namespace {

namespace fs = std::filesystem;

struct NewPluginOptions {
  std::string name;
  std::string dir;
};

// Target names CMake reserves: a plugin called so would not configure.
constexpr std::string_view kReservedTargets[] = {
    "all",
    "clean",
    "depend",
    "edit_cache",
    "help",
    "install",
    "install_local",
    "install_strip",
    "list_install_components",
    "package",
    "package_source",
    "rebuild_cache",
    "test"};

void check_name(const std::string& name) {
  bool valid =
      !name.empty() && name.size() <= 64 && name[0] >= 'a' && name[0] <= 'z';
  for (const char c : name) {
    valid =
        valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (!valid) {
    throw UsageError(
        "new-plugin: \"" + name +
        "\" is not a scheme name: expected [a-z][a-z0-9_]* (lower-case "
        "letters, digits and underscores, starting with a letter, at most 64 "
        "characters), e.g. \"my_scheme\"");
  }
  for (const std::string_view reserved : kReservedTargets) {
    if (name == reserved) {
      throw UsageError(
          "new-plugin: \"" + name +
          "\" is reserved by CMake as a target name; choose another name");
    }
  }
}

// A plugin whose scheme shadows a built-in one could not be loaded next to
// it (duplicate scheme). Best effort: skipped if the built-ins do not load.
void check_not_builtin(const std::string& name) {
  Registry registry;
  try {
    load_plugin_dir(builtin_plugin_dir(), registry);
  } catch (const Error&) {
    return;
  }
  if (registry.contains(name)) {
    throw UsageError(
        "new-plugin: \"" + name + "\" is already a built-in scheme (" +
        fs::path(registry.find(name).library_path).filename().string() +
        "); a plugin defining it again would be refused as a duplicate; "
        "choose another name");
  }
}

// DIR must not exist, or be an empty directory.
void check_target(const fs::path& target, const std::string& shown) {
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(target, ec);
  if (!fs::exists(status)) return;
  if (!fs::is_directory(status)) {
    throw UsageError(
        "new-plugin: " + shown +
        " exists and is not a directory; choose "
        "another DIR");
  }
  if (!fs::is_empty(target, ec) || ec) {
    throw UsageError(
        "new-plugin: " + shown +
        " exists and is not empty; choose a new "
        "directory (or empty this one)");
  }
}

// A fresh directory next to `target` (same file system, so rename works).
fs::path make_temp_sibling(const fs::path& target) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path candidate =
        target.parent_path() /
        ("." + target.filename().string() + ".new-plugin-" +
         std::to_string(::getpid()) + "-" + std::to_string(attempt));
    std::error_code ec;
    if (fs::create_directory(candidate, ec)) return candidate;
    if (ec) {
      throw IoError(
          "new-plugin: cannot create " + candidate.string() + ": " +
          ec.message());
    }
  }
  throw IoError(
      "new-plugin: cannot create a temporary directory in " +
      target.parent_path().string());
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw IoError("new-plugin: cannot write " + path.string());
}

// Single-quotes text for a shell command line unless it needs none.
std::string shell_quote(const std::string& text) {
  bool plain = !text.empty();
  for (const char c : text) {
    const bool safe =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') ||
        std::string_view("_-./+:=,@%").find(c) != std::string_view::npos;
    plain = plain && safe;
  }
  if (plain) return text;
  std::string quoted = "'";
  for (const char c : text) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}

int run_new_plugin(const NewPluginOptions& o) {
  check_name(o.name);
  const std::string shown = o.dir.empty() ? o.name : o.dir;
  fs::path target = fs::absolute(shown).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  check_target(target, shown);
  check_not_builtin(o.name);

  const std::optional<fs::path> prefix = installed_prefix();
  ScaffoldParams params;
  params.name = o.name;
  params.version = initforge_version();
  params.prefix_known = prefix.has_value();
  params.prefix = prefix ? shell_quote(prefix->string()) : "PREFIX";
  params.cli = shell_quote(executable_path().string());
  const std::vector<ScaffoldFile> files = scaffold_files(params);

  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) {
    throw IoError(
        "new-plugin: cannot create " + target.parent_path().string() + ": " +
        ec.message());
  }
  const fs::path temp = make_temp_sibling(target);
  try {
    for (const ScaffoldFile& file : files) {
      write_file(temp / file.name, file.text);
    }
    fs::rename(temp, target);  // replaces an empty directory atomically
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(temp, ec);
    throw IoError(
        "new-plugin: cannot move the project into place at " + shown + ": " +
        e.code().message());
  } catch (...) {
    fs::remove_all(temp, ec);
    throw;
  }

  std::printf(
      "wrote %s/ (plugin project for scheme \"%s\"):\n",
      shown.c_str(),
      o.name.c_str());
  for (const ScaffoldFile& file : files) {
    std::printf("  %s\n", (fs::path(shown) / file.name).c_str());
  }
  std::printf(
      "next:\n  cd %s\n  cmake -S . -B build -DCMAKE_PREFIX_PATH=%s\n"
      "  cmake --build build\n  %s check-plugin %s --plugin-dir build\n",
      shell_quote(shown).c_str(),
      params.prefix.c_str(),
      params.cli.c_str(),
      o.name.c_str());
  if (!prefix) {
    std::printf(
        "(this initforge runs from its build tree: install it first with "
        "`cmake --install BUILD --prefix PREFIX`)\n");
  }
  std::printf("README.md shows how a config uses the scheme.\n");
  return 0;
}

}  // namespace

CommandRunner setup_new_plugin_command(CLI::App& command) {
  auto o = std::make_shared<NewPluginOptions>();
  command
      .add_option(
          "name", o->name, "scheme name, [a-z][a-z0-9_]* (also the library's)")
      ->required();
  command.add_option(
      "dir", o->dir, "new or empty directory to write (default: ./NAME)");
  return [o] { return run_new_plugin(*o); };
}

}  // namespace initforge::cli
