// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs a program with no shell involved (posix_spawn), stdout and stderr
// captured through temporary files: the one process runner of the CLI and
// package tests. Not Boost.Process: its environment lookup in Boost 1.74
// reads past the end of shorter entries (ASan heap-buffer-overflow).

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
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

struct SpawnResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

/// `name` searched in PATH as execvp does; as given when it holds a '/'.
/// (Searched here, in this process's PATH, not the child's environment.)
inline std::string find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (true) {
    const std::size_t colon = dirs.find(':');
    const std::filesystem::path dir(dirs.substr(0, colon));
    const std::filesystem::path candidate = (dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string_view::npos) return name;
    dirs.remove_prefix(colon + 1);
  }
}

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
  const std::string exe = find_in_path(argv_text.at(0));
  const std::vector<std::string> args(argv_text.begin() + 1, argv_text.end());

  SpawnResult result;
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC;
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), kFlags, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), kFlags, 0600);
  if (cwd) posix_spawn_file_actions_addchdir_np(&actions, cwd->c_str());
  pid_t pid = -1;
  const int rc = ::posix_spawn(
      &pid,
      exe.c_str(),
      &actions,
      nullptr,
      argv.data(),
      envp != nullptr ? envp : environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.err = "cannot run " + exe + ": " + std::strerror(rc);
  } else {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  const auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    std::error_code ec;
    fs::remove(path, ec);
    return s.str();
  };
  result.out = slurp(out_path);
  result.err += slurp(err_path);
  return result;
}

}  // namespace initforge::testing
