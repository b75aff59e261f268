// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs a program (no shell) in a directory with the environment minus the
// variables that could point CMake or initforge at anything but the
// installed package, and captures stdout, stderr and the exit code.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

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
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path base = fs::temp_directory_path() /
                        ("initforge_pkg_" + std::to_string(::getpid()) + "_" +
                         std::to_string(counter++));
  const std::string out_path = base.string() + ".out";
  const std::string err_path = base.string() + ".err";

  std::vector<std::string> argv_text = args;
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!scrubbed(*e)) env.push_back(*e);
  }
  env.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawn_file_actions_addopen(
      &actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(
      &actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  ProcessResult result;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), env.data()) ==
      0) {
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  const auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    std::error_code ec;
    fs::remove(path, ec);
    return s.str();
  };
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  for (const std::string& a : args) result.text += a + " ";
  result.text += "\n(in " + cwd.string() + ", exit " +
                 std::to_string(result.exit_code) + ")\nstdout:\n" +
                 result.out + "\nstderr:\n" + result.err;
  return result;
}

}  // namespace initforge::testing
