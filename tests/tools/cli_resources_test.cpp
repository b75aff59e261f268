// SPDX-License-Identifier: Apache-2.0
// What the CLI does about the machine: sizes beyond its memory are bad input
// (exit 2, with the numbers), and the OpenMP wait policy it picks when the
// user set none.
#include <cstring>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/tools/run_cli.h"

extern char** environ;

namespace initforge {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

TEST(CliResources, SampleBeyondMemoryIsBadInputWithTheSizes) {
  const CliResult r =
      run_cli({"sample", "uniform", "--shape", "100000000,100000000"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(
      r.err,
      StartsWith("error: --shape [100000000, 100000000]: the tensor needs "
                 "35.5 PiB (40000000000000000 bytes); "));
  EXPECT_THAT(
      r.err,
      MatchesRegex(".*; [0-9.]+ [KMGT]iB available "
                   "\\(MemAvailable\\)\n"));
  EXPECT_EQ(r.out, "");
}

TEST(CliResources, SampleWhoseByteCountOverflowsIsBadInput) {
  // 2^62 elements: numel fits in int64, its bytes do not.
  const CliResult r =
      run_cli({"sample", "uniform", "--shape", "2147483648,2147483648"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(
      r.err,
      HasSubstr("error: --shape [2147483648, 2147483648]: the tensor needs "
                "more than 8 EiB: its byte count overflows 64 bits"));
}

// This process's environment without the OpenMP wait variables, plus
// `extra` ("NAME=value" entries).
struct Environment {
  explicit Environment(const std::vector<std::string>& extra) {
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      if (entry.starts_with("OMP_WAIT_POLICY=") ||
          entry.starts_with("GOMP_SPINCOUNT=")) {
        continue;
      }
      entries.push_back(entry);
    }
    entries.insert(entries.end(), extra.begin(), extra.end());
    for (std::string& entry : entries) pointers.push_back(entry.data());
    pointers.push_back(nullptr);
  }
  std::vector<std::string> entries;
  std::vector<char*> pointers;
};

std::string version_line(const std::vector<std::string>& extra) {
  Environment env(extra);
  const testing::SpawnResult r =
      testing::spawn_capture({INITFORGE_CLI, "--version"}, env.pointers.data());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// libgomp reads the variables when it is loaded, so the CLI must have them
// in its environment from the start: it re-executes itself with them.
TEST(CliResources, PicksAShortOpenMpSpinWhenTheUserSetNone) {
  EXPECT_THAT(
      version_line({}),
      MatchesRegex("initforge [0-9.]+ \\(oneDNN [0-9.]+, OpenMP wait: "
                   "GOMP_SPINCOUNT=[0-9]+\\)\n"));
}

TEST(CliResources, KeepsTheUsersOpenMpWaitPolicy) {
  EXPECT_THAT(
      version_line({"OMP_WAIT_POLICY=active"}),
      HasSubstr("OpenMP wait: OMP_WAIT_POLICY=active)"));
  EXPECT_THAT(
      version_line({"GOMP_SPINCOUNT=123"}),
      HasSubstr("OpenMP wait: GOMP_SPINCOUNT=123)"));
}

TEST(CliResources, ReExecutionKeepsArgumentsAndExitCodes) {
  Environment env({});
  const testing::SpawnResult r = testing::spawn_capture(
      {INITFORGE_CLI, "sample", "uniform", "--shape", "0,x"},
      env.pointers.data());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, StartsWith("error: "));
  EXPECT_THAT(r.err, HasSubstr("0,x"));
}

}  // namespace
}  // namespace initforge
