// SPDX-License-Identifier: Apache-2.0
// Plugin discovery through the real binary: INITFORGE_PLUGIN_PATH, the search
// order, missing locations, refusal of unsafe directories (exit 3) and
// --allow-unsafe-plugin-dir, and what `initforge plugins` shows.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/temp_dir.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TempDir;

constexpr const char* kUnsafe =
    "refusing to load plugins from this directory (named by ";

fs::path fixture(const std::string& name) {
  return fs::path(INITFORGE_FIXTURE_DIR) / name / ("lib" + name + ".so");
}

// TEMP/NAME holding a copy of fixture_good as libgood.so, with `mode`.
fs::path good_dir(
    const TempDir& tmp, fs::perms mode, const std::string& name = "plugins") {
  const fs::path dir = tmp.path() / name;
  fs::create_directories(dir);
  fs::copy_file(fixture("fixture_good"), dir / "libgood.so");
  fs::permissions(dir, mode);
  return dir;
}

// A one-Linear model whose weight uses the fixture scheme.
std::string config_text(const std::string& plugin_paths) {
  return R"({"name": "c", "input": [4], "plugins": {"paths": [)" +
         plugin_paths + R"(]},
      "layers": [{"name": "fc", "type": "Linear", "out_features": 3,
                  "init": {"weight": {"scheme": "fixture_const"}}}]})";
}

// Sets INITFORGE_PLUGIN_PATH for one scope (the CLI inherits environ).
class PluginPathEnv {
 public:
  explicit PluginPathEnv(const std::string& value) {
    ::setenv("INITFORGE_PLUGIN_PATH", value.c_str(), 1);
  }
  ~PluginPathEnv() {
    ::unsetenv("INITFORGE_PLUGIN_PATH");
  }
  PluginPathEnv(const PluginPathEnv&) = delete;
  PluginPathEnv& operator=(const PluginPathEnv&) = delete;
};

// Exit code `code` and exactly one stderr line starting with "error: ".
void expect_error(const CliResult& r, int code, const std::string& text) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_THAT(r.err, StartsWith("error: "));
  EXPECT_THAT(r.err, HasSubstr(text));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

json plugins_json(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"plugins", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? json::parse(r.out) : json::object();
}

TEST(PluginDiscoveryCli, EnvironmentPathPicksUpAPlugin) {
  const TempDir tmp;
  const fs::path dir = good_dir(tmp, fs::perms(0755));
  const PluginPathEnv env("::" + dir.string() + ":");
  const json out = plugins_json({"--no-builtin-plugins"});
  ASSERT_EQ(out["libraries"].size(), 1u);
  EXPECT_EQ(out["libraries"][0]["path"], (dir / "libgood.so").string());
  EXPECT_EQ(out["libraries"][0]["named_by"], "INITFORGE_PLUGIN_PATH");
  EXPECT_EQ(
      out["plugin_locations"],
      json::array(
          {{{"path", dir.string()}, {"named_by", "INITFORGE_PLUGIN_PATH"}}}));

  const CliResult sample = run_cli(
      {"sample", "fixture_const", "--shape", "2,3", "--no-builtin-plugins"});
  EXPECT_EQ(sample.exit_code, 0) << sample.err;
}

TEST(PluginDiscoveryCli, EnvironmentComesBeforePluginDirAndLoadsOnce) {
  const TempDir tmp;
  const fs::path dir = good_dir(tmp, fs::perms(0755));
  const PluginPathEnv env(dir.string());
  const json out = plugins_json(
      {"--plugin-dir",
       fixture("fixture_other").parent_path().string(),
       "--plugin-dir",
       dir.string()});
  std::vector<std::string> named;
  for (const json& library : out["libraries"]) {
    named.push_back(library["named_by"]);
  }
  // Built-in libraries first, then the environment's, then --plugin-dir's.
  ASSERT_GE(named.size(), 3u);
  EXPECT_EQ(named.front(), "built-in");
  EXPECT_EQ(named[named.size() - 2], "INITFORGE_PLUGIN_PATH");
  EXPECT_EQ(named.back(), "--plugin-dir");
  EXPECT_EQ(
      out["schemes"]["fixture_const"]["named_by"], "INITFORGE_PLUGIN_PATH");
}

TEST(PluginDiscoveryCli, MissingLocationIsAPluginErrorNamingWhoNamedIt) {
  const TempDir tmp;
  const fs::path missing = tmp.path() / "no_such_dir";
  expect_error(
      run_cli({"plugins", "--plugin-dir", missing.string()}),
      3,
      "plugin " + missing.string() +
          ": plugin directory does not exist (named by --plugin-dir)");
  const PluginPathEnv env(missing.string());
  expect_error(
      run_cli({"plugins"}),
      3,
      "plugin directory does not exist (named by INITFORGE_PLUGIN_PATH)");
}

TEST(PluginDiscoveryCli, UnsafeDirectoryIsRefusedByEveryCommand) {
  const TempDir tmp;
  const fs::path dir = good_dir(tmp, fs::perms(0777));
  const std::string why =
      "it is writable by group and others (mode 0777); loading a plugin "
      "library runs its code";
  const std::string fix =
      "Fix: chmod go-w " + dir.string() +
      ", or pass --allow-unsafe-plugin-dir to load it anyway";
  const std::string config = tmp.write("c.json", config_text("")).string();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"plugins"},
           {"sample", "fixture_const", "--shape", "2"},
           {"validate", config},
           {"run", config},
           {"train", config}}) {
    SCOPED_TRACE(args[0]);
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--plugin-dir", dir.string()});
    const CliResult r = run_cli(full);
    expect_error(
        r,
        3,
        "plugin " + dir.string() + ": " + kUnsafe + "--plugin-dir): " + why);
    EXPECT_THAT(r.err, HasSubstr(fix));
  }

  const std::string named =
      tmp.write("n.json", config_text("\"plugins\"")).string();
  expect_error(
      run_cli({"validate", named}),
      3,
      kUnsafe + named + ": /plugins/paths/0): " + why);
  const PluginPathEnv env(dir.string());
  expect_error(
      run_cli({"plugins"}),
      3,
      std::string(kUnsafe) + "INITFORGE_PLUGIN_PATH): " + why);
}

TEST(PluginDiscoveryCli, AllowUnsafePluginDirLoadsIt) {
  const TempDir tmp;
  const fs::path dir = good_dir(tmp, fs::perms(0777));
  const std::string config =
      tmp.write("c.json", config_text("\"plugins\"")).string();
  const json out = plugins_json(
      {"--no-builtin-plugins",
       "--plugin-dir",
       dir.string(),
       "--allow-unsafe-plugin-dir"});
  EXPECT_TRUE(out["schemes"].contains("fixture_const"));
  const CliResult r = run_cli(
      {"validate",
       config,
       "--allow-unsafe-plugin-dir",
       "--trust-config-plugins"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(PluginDiscoveryCli, PluginsShowsPathVersionAndWhoNamedEachLibrary) {
  const TempDir tmp;
  const fs::path dir = good_dir(tmp, fs::perms(0755));
  const std::vector<std::string> args = {
      "--no-builtin-plugins", "--plugin-dir", dir.string()};
  std::vector<std::string> text_args = {"plugins"};
  text_args.insert(text_args.end(), args.begin(), args.end());
  const CliResult text = run_cli(text_args);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(
      text.out,
      HasSubstr(
          "plugin location " + dir.string() + "  (named by --plugin-dir)"));
  EXPECT_THAT(
      text.out,
      HasSubstr(
          "fixture_good 1.2.3  (" + (dir / "libgood.so").string() +
          ")\n  named by --plugin-dir\n  fixture_const"));

  const json out = plugins_json(args);
  const json& library = out["libraries"][0];
  EXPECT_EQ(library["path"], (dir / "libgood.so").string());
  EXPECT_EQ(library["version"], "1.2.3");
  EXPECT_EQ(library["named_by"], "--plugin-dir");
  const json& scheme = out["schemes"]["fixture_const"];
  EXPECT_EQ(scheme["library_path"], (dir / "libgood.so").string());
  EXPECT_EQ(scheme["library"], "fixture_good");
  EXPECT_EQ(scheme["library_version"], "1.2.3");
  EXPECT_EQ(scheme["named_by"], "--plugin-dir");
  EXPECT_EQ(out["plugin_dirs"], json::array({dir.string()}));
}

TEST(PluginDiscoveryCli, EveryPluginLoadingCommandOffersTheOverride) {
  for (const char* command :
       {"plugins", "sample", "validate", "run", "train"}) {
    SCOPED_TRACE(command);
    const CliResult r = run_cli({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("--allow-unsafe-plugin-dir"));
    EXPECT_THAT(r.out, HasSubstr("--plugin-dir"));
  }
}

}  // namespace
}  // namespace initforge
