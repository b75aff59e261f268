// SPDX-License-Identifier: Apache-2.0
#include "framework/plugin/plugin_search.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include "framework/core/error.h"
#include "framework/plugin/loader.h"

#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;

constexpr uid_t kNobody = 65534;

fs::path fixture(const std::string& name) {
  return fs::path(INITFORGE_FIXTURE_DIR) / name / ("lib" + name + ".so");
}

// TEMP/plugins holding copies of fixture libraries under the given names.
fs::path plugin_dir(
    const TempDir& tmp,
    const std::vector<std::pair<std::string, std::string>>& files) {
  const fs::path dir = tmp.path() / "plugins";
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms(0755));
  for (const auto& [fixture_name, file] : files) {
    fs::copy_file(fixture(fixture_name), dir / file);
    fs::permissions(dir / file, fs::perms(0755));
  }
  return dir;
}

std::string load_error(
    const std::vector<PluginLocation>& locations, Registry& registry) {
  try {
    load_plugin_locations(locations, registry);
  } catch (const PluginError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected PluginError";
  return "";
}

std::vector<std::string> named_by(const std::vector<LoadedLibrary>& loaded) {
  std::vector<std::string> out;
  for (const LoadedLibrary& library : loaded) out.push_back(library.named_by);
  return out;
}

// Sets (or unsets, for nullptr) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    had_ = std::getenv(name) != nullptr;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(PluginPath, ColonSeparatedEntriesInOrderEmptyOnesIgnored) {
  const std::vector<PluginLocation> out = parse_plugin_path(":/a::rel/b:");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].path, "/a");
  EXPECT_EQ(out[1].path, "rel/b");
  EXPECT_EQ(out[0].named_by, "INITFORGE_PLUGIN_PATH");
  EXPECT_EQ(out[1].named_by, "INITFORGE_PLUGIN_PATH");
  EXPECT_TRUE(parse_plugin_path("").empty());
  EXPECT_TRUE(parse_plugin_path(":::").empty());
}

TEST(PluginPath, ReadFromTheEnvironmentEmptyWhenUnset) {
  {
    const ScopedEnv env(kPluginPathVariable, "/x:/y");
    EXPECT_EQ(plugin_path_from_environment(), "/x:/y");
  }
  const ScopedEnv env(kPluginPathVariable, nullptr);
  EXPECT_EQ(plugin_path_from_environment(), "");
}

TEST(PluginSearchOrder, BuiltinThenEnvironmentThenConfigsThenPluginDirs) {
  PluginSources sources;
  sources.plugin_path = "/env1:/env2";
  sources.config_paths = {{"/cfg", "c.json: /plugins/paths/0"}};
  sources.plugin_dirs = {"/dir"};
  const std::vector<PluginLocation> order = plugin_search_order(sources);
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(order[0].path, builtin_plugin_dir());
  EXPECT_EQ(order[0].named_by, "built-in");
  EXPECT_EQ(order[1].path, "/env1");
  EXPECT_EQ(order[2].path, "/env2");
  EXPECT_EQ(order[2].named_by, "INITFORGE_PLUGIN_PATH");
  EXPECT_EQ(order[3].path, "/cfg");
  EXPECT_EQ(order[3].named_by, "c.json: /plugins/paths/0");
  EXPECT_EQ(order[4].path, "/dir");
  EXPECT_EQ(order[4].named_by, "--plugin-dir");

  sources.builtin = false;
  EXPECT_EQ(plugin_search_order(sources).front().path, "/env1");
}

TEST(PluginSearch, LoadsDirectoriesAndFilesInOrderWithWhoNamedThem) {
  const TempDir tmp;
  const fs::path dir = plugin_dir(
      tmp, {{"fixture_other", "libb_other.so"}, {"fixture_good", "liba.so"}});
  fs::create_directories(dir / "libsub.so");  // a directory: skipped
  fs::create_directories(dir / "nested");
  fs::copy_file(fixture("fixture_dup"), dir / "nested" / "libdup.so");
  Registry registry;
  const std::vector<LoadedLibrary> loaded = load_plugin_locations(
      {{dir, "--plugin-dir"},
       {fixture("fixture_nan"), "c.json: /plugins/paths/0"}},
      registry);
  ASSERT_EQ(loaded.size(), 3u);
  EXPECT_EQ(loaded[0].path, dir / "liba.so");
  EXPECT_EQ(loaded[1].path, dir / "libb_other.so");
  EXPECT_EQ(loaded[2].path, fixture("fixture_nan"));
  EXPECT_EQ(
      named_by(loaded),
      (std::vector<std::string>{
          "--plugin-dir", "--plugin-dir", "c.json: /plugins/paths/0"}));
  EXPECT_TRUE(registry.contains("fixture_const"));
  EXPECT_TRUE(registry.contains("fixture_other"));
  // No recursion: nested/libdup.so (a duplicate scheme) was not loaded.
  EXPECT_EQ(
      registry.find("fixture_const").library_path, (dir / "liba.so").string());
}

TEST(PluginSearch, SameFileNamedTwiceOrViaSymlinkIsLoadedOnceFirstNameWins) {
  const TempDir tmp;
  const fs::path dir = plugin_dir(tmp, {{"fixture_good", "libgood.so"}});
  const fs::path links = tmp.path() / "links";
  fs::create_directories(links);
  fs::permissions(links, fs::perms(0755));
  fs::create_symlink(dir / "libgood.so", links / "libalias.so");
  Registry registry;
  const std::vector<LoadedLibrary> loaded = load_plugin_locations(
      {{dir, "INITFORGE_PLUGIN_PATH"},
       {dir / "libgood.so", "c.json: /plugins/paths/0"},
       {links, "--plugin-dir"},
       {dir, "--plugin-dir"}},
      registry);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].named_by, "INITFORGE_PLUGIN_PATH");
}

TEST(PluginSearch, LibraryLoadedBeforeIntoTheRegistryIsSkipped) {
  Registry registry;
  load_plugin(fixture("fixture_good"), registry);
  EXPECT_TRUE(
      load_plugin_locations(
          {{fixture("fixture_good").parent_path(), "--plugin-dir"}}, registry)
          .empty());
  // load_plugin_dir is the same search with one location.
  EXPECT_TRUE(
      load_plugin_dir(fixture("fixture_good").parent_path(), registry).empty());
}

TEST(PluginSearch, MissingLocationSaysWhoNamedIt) {
  const TempDir tmp;
  Registry registry;
  EXPECT_THAT(
      load_error({{tmp.path() / "gone", "INITFORGE_PLUGIN_PATH"}}, registry),
      HasSubstr(
          "plugin " + (tmp.path() / "gone").string() +
          ": plugin directory does not exist (named by "
          "INITFORGE_PLUGIN_PATH)"));
  EXPECT_THAT(
      load_error(
          {{tmp.path() / "libgone.so", "c.json: /plugins/paths/1"}}, registry),
      HasSubstr(
          (tmp.path() / "libgone.so").string() +
          ": plugin library does not exist (named by c.json: "
          "/plugins/paths/1)"));
}

TEST(PluginSearch, GroupWritableDirectoryIsRefusedWithReasonAndFix) {
  const TempDir tmp;
  const fs::path dir = plugin_dir(tmp, {{"fixture_good", "libgood.so"}});
  fs::permissions(dir, fs::perms(0775));
  Registry registry;
  const std::string message = load_error({{dir, "--plugin-dir"}}, registry);
  EXPECT_THAT(
      message,
      HasSubstr(
          "plugin " + dir.string() +
          ": refusing to load plugins from this directory (named by "
          "--plugin-dir): it is writable by group (mode 0775)"));
  EXPECT_THAT(message, HasSubstr("loading a plugin library runs its code"));
  EXPECT_THAT(
      message,
      HasSubstr(
          "Fix: chmod go-w " + dir.string() +
          ", or pass --allow-unsafe-plugin-dir to load it anyway"));
  EXPECT_TRUE(registry.names().empty());
}

TEST(PluginSearch, OtherWritableDirectoryIsRefused) {
  const TempDir tmp;
  const fs::path dir = plugin_dir(tmp, {{"fixture_good", "libgood.so"}});
  fs::permissions(dir, fs::perms(0757));
  Registry registry;
  EXPECT_THAT(
      load_error({{dir, "INITFORGE_PLUGIN_PATH"}}, registry),
      HasSubstr("(named by INITFORGE_PLUGIN_PATH): it is writable by others "
                "(mode 0757)"));
  fs::permissions(dir, fs::perms(0777));
  EXPECT_THAT(
      plugin_path_unsafe_reason(dir),
      HasSubstr("is writable by group and others (mode 0777)"));
  EXPECT_TRUE(registry.names().empty());
}

TEST(PluginSearch, OtherWritableLibraryInASafeDirectoryIsRefused) {
  const TempDir tmp;
  const fs::path dir = plugin_dir(
      tmp, {{"fixture_good", "liba_good.so"}, {"fixture_other", "libb.so"}});
  fs::permissions(dir / "libb.so", fs::perms(0757));
  EXPECT_EQ(plugin_path_unsafe_reason(dir), "");
  Registry registry;
  const std::string message = load_error({{dir, "--plugin-dir"}}, registry);
  EXPECT_THAT(
      message,
      HasSubstr(
          "plugin " + (dir / "libb.so").string() +
          ": refusing to load this plugin library (named by --plugin-dir): it "
          "is writable by others (mode 0757)"));
  EXPECT_THAT(message, HasSubstr("chmod go-w " + (dir / "libb.so").string()));
  // Libraries before it in name order were loaded; it was not.
  EXPECT_FALSE(registry.contains("fixture_other"));
}

TEST(PluginSearch, LibraryFileNamedDirectlyIsCheckedToo) {
  const TempDir tmp;
  const fs::path dir = plugin_dir(tmp, {{"fixture_good", "libgood.so"}});
  fs::permissions(dir / "libgood.so", fs::perms(0775));
  Registry registry;
  EXPECT_THAT(
      load_error({{dir / "libgood.so", "c.json: /plugins/paths/0"}}, registry),
      HasSubstr("refusing to load this plugin library (named by c.json: "
                "/plugins/paths/0): it is writable by group (mode 0775)"));
}

// TEMP/a/plugins/libgood.so with TEMP/a made unsafe as `mode` says.
std::string ancestor_load_error(const TempDir& tmp, fs::perms mode) {
  const fs::path parent = tmp.path() / "a";
  fs::create_directories(parent / "plugins");
  fs::permissions(parent / "plugins", fs::perms(0755));
  fs::copy_file(fixture("fixture_good"), parent / "plugins" / "libgood.so");
  fs::permissions(parent, mode);
  Registry registry;
  try {
    load_plugin_locations({{parent / "plugins", "--plugin-dir"}}, registry);
  } catch (const PluginError& e) {
    EXPECT_TRUE(registry.names().empty());
    return e.what();
  }
  EXPECT_TRUE(registry.contains("fixture_const"));
  return "";
}

TEST(PluginSearch, OtherWritableParentDirectoryIsRefusedNamingIt) {
  const TempDir tmp;
  const std::string message = ancestor_load_error(tmp, fs::perms(0757));
  EXPECT_THAT(
      message,
      HasSubstr(
          "refusing to load this plugin library (named by --plugin-dir): "
          "its directory " +
          (tmp.path() / "a").string() +
          " is writable by others (mode 0757) without the sticky bit"));
  EXPECT_THAT(
      message, HasSubstr("Fix: chmod go-w " + (tmp.path() / "a").string()));
}

TEST(PluginSearch, GroupWritableParentDirectoryIsRefused) {
  const TempDir tmp;
  EXPECT_THAT(
      ancestor_load_error(tmp, fs::perms(0775)),
      HasSubstr("is writable by group (mode 0775) without the sticky bit"));
}

TEST(PluginSearch, StickyWritableParentDirectoryIsAccepted) {
  const TempDir tmp;
  EXPECT_EQ(ancestor_load_error(tmp, fs::perms(01777)), "");
}

TEST(PluginSearch, ParentDirectoryIsJudgedThroughSymlinks) {
  // The canonical parents are checked: a safe-looking symlink does not hide
  // an unsafe directory behind it.
  const TempDir tmp;
  const fs::path unsafe = tmp.path() / "unsafe";
  fs::create_directories(unsafe);
  fs::copy_file(fixture("fixture_good"), unsafe / "libgood.so");
  fs::permissions(unsafe / "libgood.so", fs::perms(0755));
  fs::permissions(unsafe, fs::perms(0777));
  const fs::path safe = tmp.path() / "safe";
  fs::create_directories(safe);
  fs::create_symlink(unsafe / "libgood.so", safe / "libgood.so");
  Registry registry;
  EXPECT_THAT(
      load_error({{safe / "libgood.so", "c.json: /plugins/paths/0"}}, registry),
      HasSubstr(
          "its directory " + unsafe.string() +
          " is writable by group "
          "and others (mode 0777) without the sticky bit"));
}

TEST(PluginSearch, ParentDirectoryOwnedBySomeoneElseIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown to another user needs root";
  const TempDir tmp;
  const fs::path dir = plugin_dir(tmp, {{"fixture_good", "libgood.so"}});
  ASSERT_EQ(::chown(tmp.path().c_str(), kNobody, kNobody), 0);
  Registry registry;
  EXPECT_THAT(
      load_error({{dir, "--plugin-dir"}}, registry),
      HasSubstr(
          "its directory " + tmp.path().string() + " is owned by uid " +
          "65534"));
  ASSERT_EQ(::chown(tmp.path().c_str(), 0, 0), 0);
}

TEST(PluginSearch, PathWithSpacesIsQuotedInTheFix) {
  const TempDir tmp;
  const fs::path dir = tmp.path() / "my plugins";
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms(0777));
  Registry registry;
  EXPECT_THAT(
      load_error({{dir, "--plugin-dir"}}, registry),
      HasSubstr("Fix: chmod go-w '" + dir.string() + "', or pass"));
}

TEST(PluginSearch, DirectoryOwnedBySomeoneElseIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown to another user needs root";
  const TempDir tmp;
  const fs::path dir = plugin_dir(tmp, {{"fixture_good", "libgood.so"}});
  ASSERT_EQ(::chown(dir.c_str(), kNobody, kNobody), 0);
  Registry registry;
  const std::string message = load_error({{dir, "--plugin-dir"}}, registry);
  EXPECT_THAT(
      message,
      HasSubstr("refusing to load plugins from this directory (named by "
                "--plugin-dir): it is owned by uid 65534"));
  EXPECT_THAT(message, HasSubstr("not by you (uid 0 (root)) or root"));
  EXPECT_THAT(message, HasSubstr("Fix: chown root " + dir.string()));
  if (const passwd* pw = ::getpwuid(kNobody)) {
    EXPECT_THAT(message, HasSubstr(std::string("(") + pw->pw_name + ")"));
  }
  EXPECT_TRUE(registry.names().empty());
}

TEST(PluginSearch, LibraryOwnedBySomeoneElseIsRefusedAndBothReasonsAreGiven) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown to another user needs root";
  const TempDir tmp;
  const fs::path dir = plugin_dir(tmp, {{"fixture_good", "libgood.so"}});
  const fs::path library = dir / "libgood.so";
  ASSERT_EQ(::chown(library.c_str(), kNobody, kNobody), 0);
  Registry registry;
  EXPECT_THAT(
      load_error({{dir, "--plugin-dir"}}, registry),
      HasSubstr(
          "plugin " + library.string() +
          ": refusing to load this plugin library (named by --plugin-dir): "
          "it is owned by uid 65534"));
  fs::permissions(library, fs::perms(0777));
  const std::string both = load_error({{library, "--plugin-dir"}}, registry);
  EXPECT_THAT(
      both,
      HasSubstr("it is writable by group and others (mode 0777) and owned by "
                "uid 65534"));
  EXPECT_THAT(
      both,
      HasSubstr(
          "Fix: chmod go-w " + library.string() + " and chown root " +
          library.string()));
}

TEST(PluginSearch, AllowUnsafeLoadsRefusedLocations) {
  const TempDir tmp;
  const fs::path dir = plugin_dir(
      tmp, {{"fixture_good", "liba_good.so"}, {"fixture_other", "libb.so"}});
  fs::permissions(dir, fs::perms(0777));
  fs::permissions(dir / "libb.so", fs::perms(0777));
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown((dir / "liba_good.so").c_str(), kNobody, kNobody), 0);
  }
  Registry registry;
  const std::vector<LoadedLibrary> loaded =
      load_plugin_locations({{dir, "--plugin-dir"}}, registry, true);
  EXPECT_EQ(loaded.size(), 2u);
  EXPECT_TRUE(registry.contains("fixture_const"));
  EXPECT_TRUE(registry.contains("fixture_other"));
}

TEST(PluginSearch, SafeLocationHasNoReason) {
  EXPECT_EQ(plugin_path_unsafe_reason(fixture("fixture_good")), "");
  EXPECT_EQ(plugin_path_unsafe_reason(builtin_plugin_dir()), "");
}

}  // namespace
}  // namespace initforge
