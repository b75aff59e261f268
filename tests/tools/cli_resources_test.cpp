// SPDX-License-Identifier: Apache-2.0
// What the CLI does about the machine: sizes beyond its memory are bad input
// (exit 2, with the numbers), and where its OpenMP threads run.
#include <cstring>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/pinned_threads.h"

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

// This process's environment without the OpenMP placement variables, plus
// `extra` ("NAME=value" entries).
struct Environment {
  explicit Environment(const std::vector<std::string>& extra) {
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      if (entry.starts_with("OMP_PROC_BIND=") ||
          entry.starts_with("OMP_PLACES=") ||
          entry.starts_with("GOMP_CPU_AFFINITY=")) {
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

// `sample --json`'s thread_placement for `threads` under `extra`.
std::string placement(int threads, const std::vector<std::string>& extra) {
  Environment env(extra);
  const testing::SpawnResult r = testing::spawn_capture(
      {INITFORGE_CLI,
       "sample",
       "normal",
       "--shape",
       "64",
       "--threads",
       std::to_string(threads),
       "--json"},
      env.pointers.data());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report.at("threads"), threads);
  return report.at("thread_placement").get<std::string>();
}

// A busy process beside a 2-thread run must not stack both threads on one
// core (tools/bench/load_speed.py): the CLI pins them, one CPU each.
TEST(CliResources, PinsTwoThreadsToTwoCpus) {
  const std::vector<int> cpus = allowed_cpus();
  if (cpus.size() < 2) GTEST_SKIP() << "fewer than two CPUs allowed";
  EXPECT_EQ(
      placement(2, {}),
      "one CPU per thread (CPUs " + std::to_string(cpus[0]) + "," +
          std::to_string(cpus[1]) + ")");
}

TEST(CliResources, LeavesOneThreadAndTheUsersPlacementAlone) {
  EXPECT_EQ(placement(1, {}), "one thread, not pinned");
  EXPECT_EQ(placement(2, {"OMP_PROC_BIND=false"}), "placed by OMP_PROC_BIND");
  EXPECT_EQ(placement(2, {"OMP_PLACES=cores"}), "placed by OMP_PLACES");
}

}  // namespace
}  // namespace initforge
