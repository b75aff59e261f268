// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers of model_cli_tests: paths, a scratch directory per test, and the
// one-line error contract.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/testing/temp_dir.h"
#include "tests/tools/run_cli.h"

namespace initforge::testing {

namespace fs = std::filesystem;

inline const fs::path kConfigs = INITFORGE_CONFIGS_DIR;
inline const fs::path kBadConfigs =
    fs::path(INITFORGE_TEST_DATA_DIR) / "bad_configs";

//// configs/*.json file names, sorted.
inline std::vector<std::string> example_configs() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kConfigs)) {
    if (entry.path().extension() == ".json") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// The error line of a failed command: exactly one line, "error: ...".
inline std::string error_line(const CliResult& r) {
  EXPECT_THAT(r.err, ::testing::StartsWith("error: "));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  return r.err;
}

}  // namespace initforge::testing
