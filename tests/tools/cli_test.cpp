// SPDX-License-Identifier: Apache-2.0
// Runs the real `initforge` binary: output formats, exit codes and the
// one-line "error: " messages, against fixture plugins.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/io/npy.h"

#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string fixture_dir(const std::string& name) {
  return (fs::path(INITFORGE_FIXTURE_DIR) / name).string();
}

// Only the fixture plugins: independent of the built-in ones.
std::vector<std::string> with_fixtures(std::vector<std::string> args) {
  args.insert(
      args.end(),
      {"--no-builtin-plugins", "--plugin-dir", fixture_dir("fixture_good")});
  return args;
}

// Exit code `code` and exactly one stderr line starting with "error: ".
void expect_error(const CliResult& r, int code, const std::string& text) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_THAT(r.err, StartsWith("error: "));
  EXPECT_THAT(r.err, HasSubstr(text));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliPlugins, JsonListsFixtureLibrariesAndSchemas) {
  const CliResult r = run_cli(
      {"plugins",
       "--json",
       "--no-builtin-plugins",
       "--plugin-dir",
       fixture_dir("fixture_good"),
       "--plugin-dir",
       fixture_dir("fixture_other")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out["libraries"].size(), 2u);
  EXPECT_EQ(out["libraries"][0]["name"], "fixture_good");
  EXPECT_EQ(out["libraries"][0]["version"], "1.2.3");
  EXPECT_EQ(out["libraries"][1]["schemes"], json({"fixture_other"}));
  const json& val = out["schemes"]["fixture_const"]["args"][0];
  EXPECT_EQ(val["name"], "val");
  EXPECT_EQ(val["type"], "number");
  EXPECT_EQ(val["default"], 0.5);
  EXPECT_EQ(val["doc"], "the value");
}

TEST(CliPlugins, TextListsLibraryAndArguments) {
  const CliResult r = run_cli(with_fixtures({"plugins"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("fixture_good 1.2.3"));
  EXPECT_THAT(r.out, HasSubstr("fixture_const"));
  EXPECT_THAT(r.out, HasSubstr("= 0.5"));
}

TEST(CliSample, WritesReadableNpyWithTheRequestedShape) {
  const fs::path out = fs::temp_directory_path() /
                       ("initforge_cli_" + std::to_string(::getpid()) + ".npy");
  const CliResult r = run_cli(with_fixtures(
      {"sample",
       "fixture_const",
       "--shape",
       "6,5,2",
       "--arg",
       "val=0.25",
       "--out",
       out.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Tensor t = read_npy(out);
  fs::remove(out);
  EXPECT_EQ(t.shape(), (Shape{6, 5, 2}));
  for (const float x : t.span()) ASSERT_EQ(x, 0.25f);
  EXPECT_THAT(r.out, HasSubstr("val=0.25"));
}

TEST(CliSample, JsonReportsStatisticsFansAndFillSeconds) {
  const CliResult r = run_cli(with_fixtures(
      {"sample",
       "fixture_const",
       "--shape",
       "8,3,2",
       "--json",
       "--seed",
       "5",
       "--name",
       "fc1.weight"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["scheme"], "fixture_const");
  EXPECT_EQ(out["args"]["val"], 0.5);  // the default, applied
  EXPECT_EQ(out["shape"], json({8, 3, 2}));
  EXPECT_EQ(out["seed"], 5);
  EXPECT_EQ(out["rng"], "philox");
  EXPECT_EQ(out["path"], "fc1.weight");
  EXPECT_EQ(out["fan_in"], 6);  // PyTorch: dims[1] * receptive field
  EXPECT_EQ(out["fan_out"], 16);
  EXPECT_EQ(out["mean"], 0.5);
  EXPECT_EQ(out["std"], 0.0);
  EXPECT_EQ(out["target"]["kind"], "constant");
  EXPECT_GE(out["fill_seconds"].get<double>(), 0.0);
}

TEST(CliSample, FanOverridesAndThreadsAreReported) {
  const CliResult r = run_cli(with_fixtures(
      {"sample",
       "fixture_const",
       "--shape",
       "4",
       "--fan-in",
       "7",
       "--fan-out",
       "9",
       "--threads",
       "1",
       "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["fan_in"], 7);
  EXPECT_EQ(out["fan_out"], 9);
  EXPECT_EQ(out["threads"], 1);
}

TEST(CliErrors, UnknownSchemeSuggestsTheClosest) {
  expect_error(
      run_cli(with_fixtures({"sample", "fixture_cosnt", "--shape", "3,4"})),
      2,
      "unknown scheme \"fixture_cosnt\"; did you mean \"fixture_const\"?");
}

TEST(CliErrors, BadArgNamesTheArgument) {
  expect_error(
      run_cli(with_fixtures(
          {"sample", "fixture_const", "--shape", "3,4", "--arg", "val=true"})),
      2,
      "error: --arg val: expected a number; got true");
  expect_error(
      run_cli(with_fixtures(
          {"sample", "fixture_const", "--shape", "3,4", "--arg", "vla=1"})),
      2,
      "error: --arg vla: unknown argument \"vla\"; did you mean \"val\"?");
  expect_error(
      run_cli(with_fixtures(
          {"sample", "fixture_const", "--shape", "3,4", "--arg", "val"})),
      2,
      "error: --arg: expected KEY=VALUE");
}

TEST(CliErrors, BadShapesAreUsageErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"3,x", "dimension 1: expected a size >= 0; got \"x\""},
      {"-1,2", "dimension 0: expected a size >= 0; got -1"},
      {"", "expected sizes like"},
      {"3,,4", "dimension 1: expected a size >= 0; got \"\""},
      {"1,1,1,1,1,1,1,1,1", "at most 8 are supported"},
      {"9999999999,9999999999", "has more than 2^63 elements"},
      {"99999999999999999999999", "dimension 0 is too large"},
  };
  for (const auto& [shape, text] : cases) {
    SCOPED_TRACE(shape);
    expect_error(
        run_cli(with_fixtures({"sample", "fixture_const", "--shape", shape})),
        2,
        "--shape");
    expect_error(
        run_cli(with_fixtures({"sample", "fixture_const", "--shape", shape})),
        2,
        text);
  }
}

TEST(CliErrors, CommandLineParseErrorsExitTwo) {
  expect_error(run_cli({}), 2, "A subcommand is required");
  expect_error(
      run_cli({"sampel"}),
      2,
      "unknown command \"sampel\"; did you mean \"sample\"? known: plugins, "
      "layers, sample");
  expect_error(
      run_cli(with_fixtures({"sample", "fixture_const"})), 2, "--shape");
  expect_error(
      run_cli(with_fixtures(
          {"sample", "fixture_const", "--shape", "3", "--fan-in", "3"})),
      2,
      "--fan-in requires --fan-out");
  expect_error(
      run_cli(with_fixtures(
          {"sample", "fixture_const", "--shape", "3", "--rng", "mt"})),
      2,
      "unknown rng \"mt\"; expected one of philox, torch");
  EXPECT_EQ(run_cli({"--help"}).exit_code, 0);
}

TEST(CliErrors, SeedMustFitInUnsigned64Bits) {
  for (const std::string seed : {"-1", "18446744073709551616", "x", ""}) {
    SCOPED_TRACE(seed);
    expect_error(
        run_cli(with_fixtures(
            {"sample", "fixture_const", "--shape", "3", "--seed", seed})),
        2,
        "error: --seed: expected an integer in [0, 2^64); got \"" + seed +
            "\"");
  }
  const CliResult r = run_cli(with_fixtures(
      {"sample",
       "fixture_const",
       "--shape",
       "3",
       "--seed",
       "18446744073709551615",
       "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["seed"], 18446744073709551615ull);
}

TEST(CliErrors, UnwritableOutputIsAnIoError) {
  expect_error(
      run_cli(with_fixtures(
          {"sample",
           "fixture_const",
           "--shape",
           "3",
           "--out",
           "/nonexistent-dir/x.npy"})),
      2,
      "/nonexistent-dir/x.npy: cannot create a file");
}

TEST(CliErrors, MissingPluginDirIsAPluginError) {
  expect_error(
      run_cli({"plugins", "--plugin-dir", "/nonexistent/plugins"}),
      3,
      "plugin /nonexistent/plugins: plugin directory does not exist");
}

TEST(CliErrors, BrokenPluginsExitThree) {
  expect_error(
      run_cli(
          {"plugins",
           "--no-builtin-plugins",
           "--plugin-dir",
           fixture_dir("fixture_wrong_abi")}),
      3,
      "ABI version 999, this initforge expects 2");
  expect_error(
      run_cli(
          {"plugins",
           "--no-builtin-plugins",
           "--plugin-dir",
           fixture_dir("fixture_no_entry")}),
      3,
      "has no initforge_plugin entry point");
  expect_error(
      run_cli(
          {"plugins",
           "--no-builtin-plugins",
           "--plugin-dir",
           fixture_dir("fixture_throws")}),
      3,
      "registering schemes failed: fixture refuses to register");
  expect_error(
      run_cli(
          {"plugins",
           "--no-builtin-plugins",
           "--plugin-dir",
           fixture_dir("fixture_good"),
           "--plugin-dir",
           fixture_dir("fixture_dup")}),
      3,
      "scheme \"fixture_const\" from " + fixture_dir("fixture_dup") +
          "/libfixture_dup.so is already registered by " +
          fixture_dir("fixture_good") + "/libfixture_good.so");

  const fs::path dir = fs::temp_directory_path() /
                       ("initforge_cli_elf_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "libnot_elf.so") << "not a library\n";
  const CliResult r = run_cli(
      {"plugins", "--no-builtin-plugins", "--plugin-dir", dir.string()});
  fs::remove_all(dir);
  expect_error(
      r, 3, "libnot_elf.so: cannot be loaded: not an ELF shared library");
}

}  // namespace
}  // namespace initforge
