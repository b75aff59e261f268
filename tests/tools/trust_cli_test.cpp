// SPDX-License-Identifier: Apache-2.0
// Configs that bring code: a config's plugins.paths needs `initforge trust`
// or --trust-config-plugins (exit 3 otherwise, nothing loaded); what the
// user names (--plugin-dir, INITFORGE_PLUGIN_PATH) needs neither. Every test
// keeps the trust store in a temp XDG_CONFIG_HOME.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/scoped_env.h"
#include "tests/testing/temp_dir.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScopedEnv;
using ::testing::StartsWith;
using testing::TempDir;

fs::path fixture(const std::string& name) {
  return fs::path(INITFORGE_FIXTURE_DIR) / name / ("lib" + name + ".so");
}

class TrustCli : public ::testing::Test {
 protected:
  TrustCli()
      : xdg_("XDG_CONFIG_HOME", (tmp_.path() / "config").c_str()),
        plugins_(tmp_.path() / "experiment" / "plugins") {
    fs::create_directories(plugins_);
    fs::copy_file(fixture("fixture_good"), plugins_ / "libgood.so");
    config_ = tmp_.path() / "experiment" / "c.json";
    std::ofstream(config_)
        << R"({"name": "c", "input": [4], "plugins": {"paths": ["plugins"]},
      "layers": [{"name": "fc", "type": "Linear", "out_features": 3,
                  "init": {"weight": {"scheme": "fixture_const"}}}]})";
  }

  fs::path store() const {
    return tmp_.path() / "config" / "initforge" / "trusted.json";
  }

  TempDir tmp_;
  ScopedEnv xdg_;
  fs::path plugins_;
  fs::path config_;
};

// Exit 3, one "error: " line naming the config, the library and both ways.
void expect_refused(
    const CliResult& r,
    const fs::path& library,
    const std::string& config,
    const std::string& why) {
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, StartsWith("error: plugin " + library.string() + ": "));
  EXPECT_THAT(r.err, HasSubstr("(named by " + config + ": /plugins/paths/0)"));
  EXPECT_THAT(r.err, HasSubstr(why));
  EXPECT_THAT(
      r.err,
      HasSubstr("`initforge trust " + library.parent_path().string() + "`"));
  EXPECT_THAT(r.err, HasSubstr("--trust-config-plugins"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(TrustCli, UntrustedConfigPluginsAreRefusedByValidateRunAndTrain) {
  for (const std::string command : {"validate", "run", "train"}) {
    SCOPED_TRACE(command);
    expect_refused(
        run_cli({command, config_.string()}),
        plugins_ / "libgood.so",
        config_.string(),
        "you have not trusted it");
  }
  EXPECT_FALSE(fs::exists(store()));  // refusing records nothing
}

TEST_F(TrustCli, NothingIsLoadedBeforeTheRefusal) {
  // A library whose registration throws: loading it would say so.
  fs::copy_file(fixture("fixture_throws"), plugins_ / "libthrows.so");
  const CliResult r = run_cli({"validate", config_.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("you have not trusted it"));
  EXPECT_THAT(r.err, Not(HasSubstr("registering schemes failed")));
}

TEST_F(TrustCli, TrustFlagAllowsOneCommandAndRecordsNothing) {
  const CliResult r =
      run_cli({"validate", config_.string(), "--trust-config-plugins"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(store()));
  EXPECT_EQ(run_cli({"validate", config_.string()}).exit_code, 3);
}

TEST_F(TrustCli, TrustedDirectoryIsLoadedUntilALibraryChanges) {
  const CliResult trusted = run_cli({"trust", plugins_.string()});
  ASSERT_EQ(trusted.exit_code, 0) << trusted.err;
  EXPECT_THAT(
      trusted.out,
      HasSubstr(
          "trusted " + fs::canonical(plugins_).string() +
          ": configs may load 1 plugin library from it"));
  EXPECT_TRUE(fs::exists(store()));
  const CliResult ok = run_cli({"run", config_.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  std::ofstream(plugins_ / "libgood.so", std::ios::app | std::ios::binary)
      << '\0';
  expect_refused(
      run_cli({"validate", config_.string()}),
      plugins_ / "libgood.so",
      config_.string(),
      "it changed since you trusted it");
  ASSERT_EQ(run_cli({"trust", plugins_.string()}).exit_code, 0);
  EXPECT_EQ(run_cli({"validate", config_.string()}).exit_code, 0);
}

TEST_F(TrustCli, ListShowsDirectoriesAndHashesAndRevokeForgets) {
  ASSERT_EQ(run_cli({"trust", plugins_.string()}).exit_code, 0);
  const CliResult list = run_cli({"trust", "--list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("# " + store().string()));
  EXPECT_THAT(list.out, HasSubstr(fs::canonical(plugins_).string()));
  EXPECT_THAT(
      list.out, ::testing::ContainsRegex("libgood.so sha256:[0-9a-f]{64}"));

  const CliResult revoked = run_cli({"trust", "--revoke", plugins_.string()});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_EQ(run_cli({"validate", config_.string()}).exit_code, 3);
  EXPECT_THAT(
      run_cli({"trust", "--list"}).out,
      HasSubstr("no trusted plugin directories"));
  const CliResult again = run_cli({"trust", "--revoke", plugins_.string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("is not trusted"));
}

TEST_F(TrustCli, PluginsTheUserNamesNeedNoConsent) {
  const fs::path bare = tmp_.path() / "bare.json";
  std::ofstream(bare) << R"({"name": "b", "input": [4],
      "layers": [{"name": "fc", "type": "Linear", "out_features": 3,
                  "init": {"weight": {"scheme": "fixture_const"}}}]})";
  EXPECT_EQ(
      run_cli({"validate", bare.string(), "--plugin-dir", plugins_.string()})
          .exit_code,
      0);
  const ScopedEnv path("INITFORGE_PLUGIN_PATH", plugins_.c_str());
  EXPECT_EQ(run_cli({"validate", bare.string()}).exit_code, 0);
  EXPECT_FALSE(fs::exists(store()));
}

TEST_F(TrustCli, BadTrustRequestsAndAMalformedStoreExitTwo) {
  EXPECT_EQ(run_cli({"trust"}).exit_code, 2);
  EXPECT_EQ(run_cli({"trust", "--list", plugins_.string()}).exit_code, 2);
  const CliResult missing = run_cli({"trust", (tmp_.path() / "nope").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("nope"));
  fs::create_directories(store().parent_path());
  std::ofstream(store()) << R"({"version": 1, "directories": {}})";
  const CliResult malformed = run_cli({"validate", config_.string()});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_THAT(malformed.err, HasSubstr(store().string() + ": /directories"));
}

}  // namespace
}  // namespace initforge
