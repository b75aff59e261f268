// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs a program with no shell involved, stdout and stderr captured through
// temporary files: the one process runner of the CLI and package tests.

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace initforge::testing {

struct SpawnResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

/// Runs argv[0] (searched in PATH) with `envp` (nullptr: this process's
/// environment), in `cwd` when given, and waits for it.
inline SpawnResult spawn_capture(
    std::vector<std::string> argv_text,
    char* const* envp = nullptr,
    const std::optional<std::filesystem::path>& cwd = std::nullopt) {
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path base = fs::temp_directory_path() /
                        ("initforge_spawn_" + std::to_string(::getpid()) + "_" +
                         std::to_string(counter++));
  const std::string out_path = base.string() + ".out";
  const std::string err_path = base.string() + ".err";
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (cwd) posix_spawn_file_actions_addchdir_np(&actions, cwd->c_str());
  posix_spawn_file_actions_addopen(
      &actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(
      &actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  SpawnResult result;
  if (posix_spawnp(
          &pid,
          argv[0],
          &actions,
          nullptr,
          argv.data(),
          envp != nullptr ? envp : environ) == 0) {
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
  return result;
}

}  // namespace initforge::testing
