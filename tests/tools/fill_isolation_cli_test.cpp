// SPDX-License-Identifier: Apache-2.0
// Failure isolation through the real binary: a plugin whose fill throws, or
// that writes a NaN, is one "error: " line naming the parameter, the scheme
// and its library, exit code 3; --no-check-finite / --check-finite switch
// the NaN check.
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/tools/model_cli_util.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::error_line;
using ::testing::HasSubstr;
using testing::TempDir;

std::string fixture_dir(const std::string& name) {
  return (fs::path(INITFORGE_FIXTURE_DIR) / name).string();
}

std::string fixture_library(const std::string& name) {
  return (fs::path(fixture_dir(name)) / ("lib" + name + ".so")).string();
}

// A one-Linear model whose weight uses `scheme` from fixture `library`.
fs::path config_with(
    const TempDir& dir, const std::string& library, const std::string& scheme) {
  return dir.write(
      "c.json",
      R"({"name": "c", "input": [4], "plugins": {"paths": [")" +
          fixture_dir(library) + R"("]},
          "layers": [{"name": "fc1", "type": "Linear", "out_features": 3,
                      "init": {"weight": {"scheme": ")" +
          scheme + R"("}}}]})");
}

std::vector<std::string> sample_args(
    const std::string& library, const std::string& scheme) {
  return {
      "sample",
      scheme,
      "--shape",
      "4,3",
      "--name",
      "fc1.weight",
      "--no-builtin-plugins",
      "--plugin-dir",
      fixture_dir(library)};
}

TEST(FillIsolationCli, RunWithThrowingPluginExitsThreeNamingEverything) {
  const TempDir dir;
  const CliResult r = run_cli(
      {"run",
       config_with(dir, "fixture_fill_throws", "fixture_boom").string(),
       "--trust-config-plugins"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(
      error_line(r),
      HasSubstr(
          "plugin " + fixture_library("fixture_fill_throws") +
          ": fc1.weight: scheme \"fixture_boom\" failed while filling: boom"));
}

TEST(FillIsolationCli, SampleWithThrowingPluginExitsThree) {
  const CliResult r =
      run_cli(sample_args("fixture_fill_throws", "fixture_boom"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(
      error_line(r),
      HasSubstr(
          "plugin " + fixture_library("fixture_fill_throws") +
          ": fc1.weight: scheme \"fixture_boom\" failed while filling: boom"));
}

TEST(FillIsolationCli, RunChecksFinitenessByDefault) {
  const TempDir dir;
  const CliResult r = run_cli(
      {"run",
       config_with(dir, "fixture_nan", "fixture_nan").string(),
       "--trust-config-plugins"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(
      error_line(r),
      HasSubstr(
          "plugin " + fixture_library("fixture_nan") +
          ": fc1.weight: scheme \"fixture_nan\" wrote 1 non-finite value(s) "
          "(NaN or Inf) of 12; the first at "
          "index 3: nan"));
}

TEST(FillIsolationCli, RunWithNoCheckFiniteLetsTheNanThrough) {
  const TempDir dir;
  const CliResult r = run_cli(
      {"run",
       config_with(dir, "fixture_nan", "fixture_nan").string(),
       "--trust-config-plugins",
       "--no-check-finite",
       "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json weight = json::parse(r.out)["params"][0];
  EXPECT_EQ(weight["path"], "fc1.weight");
  EXPECT_EQ(weight["scheme"], "fixture_nan");
}

TEST(FillIsolationCli, SampleChecksFinitenessOnlyWhenAsked) {
  const std::vector<std::string> args =
      sample_args("fixture_nan", "fixture_nan");
  const CliResult unchecked = run_cli(args);
  EXPECT_EQ(unchecked.exit_code, 0) << unchecked.err;

  std::vector<std::string> checked = args;
  checked.push_back("--check-finite");
  const CliResult r = run_cli(checked);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(
      error_line(r),
      HasSubstr(
          "plugin " + fixture_library("fixture_nan") +
          ": fc1.weight: scheme \"fixture_nan\" wrote 1 non-finite value(s) "
          "(NaN or Inf) of 12; the first at "
          "index 3: nan"));
}

}  // namespace
}  // namespace initforge
