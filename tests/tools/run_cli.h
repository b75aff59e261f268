// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs the built `initforge` binary (INITFORGE_CLI) with arguments, no shell
// involved, and captures stdout, stderr and the exit code.

#include <string>
#include <utility>
#include <vector>

#include "tests/testing/spawn.h"

namespace initforge {

struct CliResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

inline CliResult run_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {INITFORGE_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::SpawnResult r = testing::spawn_capture(std::move(argv));
  return {r.exit_code, std::move(r.out), std::move(r.err)};
}

}  // namespace initforge
