// SPDX-License-Identifier: Apache-2.0
// `initforge check-plugin` through the real binary: the table, the summary,
// exit codes (0 all pass, 3 a check failed, 2 bad usage) and --json.
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::string conformance_fixture(const std::string& kind) {
  return (fs::path(INITFORGE_CONFORMANCE_FIXTURE_DIR) / kind).string();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(CheckPluginCli, BuiltinSchemePassesWithExitZero) {
  const CliResult r = run_cli({"check-plugin", "kaiming_uniform"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, HasSubstr("scheme    kaiming_uniform  ("));
  EXPECT_THAT(
      r.out,
      HasSubstr("seed      0; KS tests at significance level 0.001 each\n"));
  EXPECT_THAT(
      r.out,
      ::testing::ContainsRegex(
          "\nthreads +philox \\[100, 1000\\] +pass +identical with 1 and 2 "
          "OpenMP threads\n"));
  EXPECT_THAT(
      r.out,
      ::testing::ContainsRegex(
          "\ndistribution +\\[128, 64, 3, 3\\] +pass +U\\(-0\\.1021, "
          "0\\.1021\\): KS D="));
  EXPECT_THAT(
      r.out,
      ::testing::ContainsRegex("\nPASS: 30 passed, 0 skipped, 0 failed "
                               "of 30 checks\n$"));
}

TEST(CheckPluginCli, TableColumnsAreAligned) {
  const CliResult r = run_cli({"check-plugin", "eye"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  std::size_t header = 0;
  while (header < lines.size() && lines[header].rfind("check ", 0) != 0) {
    ++header;
  }
  ASSERT_LT(header, lines.size()) << r.out;
  const std::size_t case_col = lines[header].find("case");
  const std::size_t result_col = lines[header].find("result");
  const std::size_t detail_col = lines[header].find("detail");
  std::size_t rows = 0;
  for (std::size_t i = header + 1; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string& line = lines[i];
    SCOPED_TRACE(line);
    ASSERT_GT(line.size(), detail_col);
    EXPECT_NE(line[case_col], ' ');
    EXPECT_EQ(line[case_col - 1], ' ');
    EXPECT_THAT(line.substr(result_col, 4), MatchesRegex("pass|skip|FAIL"));
    EXPECT_NE(line[detail_col], ' ');
    ++rows;
  }
  EXPECT_EQ(rows, 13u);
}

TEST(CheckPluginCli, FailingFixtureExitsThreeWithOneErrorLine) {
  const CliResult r = run_cli(
      {"check-plugin",
       "fixture_wrong_target",
       "--plugin-dir",
       conformance_fixture("target")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(
      r.err, "error: scheme fixture_wrong_target failed 3 of 23 checks\n");
  EXPECT_THAT(
      r.out,
      ::testing::ContainsRegex(
          "\ndistribution +\\[100, 1000\\] +FAIL +N\\(mean 0, std 1\\): KS "
          "D=[0-9.]+, p=[0-9.e-]+ < 0\\.001, n=100000\n"));
  EXPECT_THAT(
      r.out,
      HasSubstr("\nFAIL: 19 passed, 1 skipped, 3 failed of 23 "
                "checks\n"));
}

TEST(CheckPluginCli, ThreadDependentFixtureNamesBothCounts) {
  const CliResult r = run_cli(
      {"check-plugin",
       "fixture_thread_count",
       "--plugin-dir",
       conformance_fixture("threads")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(
      r.err, HasSubstr("error: scheme fixture_thread_count failed 6 of"));
  EXPECT_THAT(
      r.out,
      ::testing::ContainsRegex(
          "\nthreads +torch \\[100, 1000\\] +FAIL +100000 of 100000 values "
          "differ; first at index 0: 1 \\(1 thread\\) vs 2 \\(2 threads\\)"));
}

TEST(CheckPluginCli, ThirdPartyPluginThatConformsPasses) {
  const CliResult r = run_cli(
      {"check-plugin",
       "fixture_const",
       "--plugin-dir",
       (fs::path(INITFORGE_FIXTURE_DIR) / "fixture_good").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("libfixture_good.so)"));
}

TEST(CheckPluginCli, UnknownSchemeExitsTwoWithDidYouMean) {
  const CliResult r = run_cli({"check-plugin", "kaiming_norml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(
      r.err,
      MatchesRegex("error: unknown scheme \"kaiming_norml\"; did you mean "
                   "\"kaiming_normal\"\\? known: .*\n"));
  EXPECT_EQ(r.out, "");
}

TEST(CheckPluginCli, BadArgumentExitsTwoNamingIt) {
  const CliResult r = run_cli({"check-plugin", "normal", "--arg", "std=-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: --arg std: expected a number >= 0; got -1\n");
}

TEST(CheckPluginCli, ArgsAndSeedAreUsedAndShown) {
  const CliResult r = run_cli(
      {"check-plugin", "sparse", "--arg", "sparsity=0.1", "--seed", "5"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\nargs      sparsity=0.1, std=0.01\n"));
  EXPECT_THAT(r.out, HasSubstr("\nseed      5; "));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("note ")));
}

TEST(CheckPluginCli, RequiredArgumentChosenIsNoted) {
  const CliResult r = run_cli({"check-plugin", "constant"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.out,
      HasSubstr("\nnote      required argument val not given: using 0.5 "
                "(choose with --arg val=VALUE)\n"));
}

TEST(CheckPluginCli, JsonReportHasEveryRow) {
  const CliResult r = run_cli(
      {"check-plugin",
       "fixture_local_index",
       "--json",
       "--plugin-dir",
       conformance_fixture("shards")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "error: scheme fixture_local_index failed 6 of 23 checks\n");
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["scheme"], "fixture_local_index");
  EXPECT_EQ(doc["alpha"], 0.001);
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["failed"], 6);
  ASSERT_EQ(doc["checks"].size(), 23u);
  const auto& first_shard = doc["checks"][14];
  EXPECT_EQ(first_shard["check"], "shards");
  EXPECT_EQ(first_shard["case"], "[3, 5]");
  EXPECT_EQ(first_shard["result"], "fail");
  EXPECT_THAT(
      first_shard["detail"].get<std::string>(), HasSubstr("shard [3, 15): "));
}

}  // namespace
}  // namespace initforge
