// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs a program (no shell) in a directory with the environment minus the
// variables that could point CMake or initforge at anything but the
// installed package, and captures stdout, stderr and the exit code.

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/testing/spawn.h"

namespace initforge::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
  /// The command line and its output, for failure messages.
  std::string text;
};

/// Variables that would let CMake or initforge find something else.
inline bool scrubbed(std::string_view entry) {
  for (const std::string_view name :
       {"initforge_DIR=",
        "initforge_ROOT=",
        "INITFORGE_ROOT=",
        "CMAKE_PREFIX_PATH=",
        "INITFORGE_PLUGIN_PATH="}) {
    if (entry.starts_with(name)) return true;
  }
  return false;
}

inline ProcessResult run_process(
    const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!scrubbed(*e)) env.push_back(*e);
  }
  env.push_back(nullptr);
  SpawnResult r = spawn_capture(args, env.data(), cwd);
  ProcessResult result{r.exit_code, std::move(r.out), std::move(r.err), ""};
  for (const std::string& a : args) result.text += a + " ";
  result.text += "\n(in " + cwd.string() + ", exit " +
                 std::to_string(result.exit_code) + ")\nstdout:\n" +
                 result.out + "\nstderr:\n" + result.err;
  return result;
}

}  // namespace initforge::testing
