// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/plot.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/cli/install_layout.h"

extern char** environ;

namespace initforge::cli {
namespace {

namespace fs = std::filesystem;

// The script's exit code for "a dependency is missing" (its message says
// which); any other failure is reported as a failure.
constexpr int kMissingDependency = 3;
constexpr const char* kInstallHint =
    "Debian: apt-get install python3-matplotlib";

std::optional<fs::path> find_python() {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? "" : dirs.substr(colon + 1);
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "python3";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
  return std::nullopt;
}

// Last non-empty line: a Python traceback ends with the exception.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  const std::size_t start = text.rfind('\n', end);
  return text.substr(
      start == std::string::npos ? 0 : start + 1,
      end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// Runs argv with stdout and stderr into one pipe; {exit code, output}.
// -1 when it could not be started.
std::pair<int, std::string> run_captured(std::vector<std::string> args) {
  int fds[2];
  if (::pipe(fds) != 0) return {-1, std::strerror(errno)};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  std::string output;
  if (spawned == 0) {
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fds[0], buffer, sizeof buffer)) != 0) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      output.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fds[0]);
  if (spawned != 0) return {-1, std::strerror(spawned)};
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return {code, output};
}

}  // namespace

PlotOutcome plot_run(const fs::path& run_dir) {
  const fs::path script = plot_script_path();
  std::error_code ec;
  if (!fs::exists(script, ec)) {
    return {false, "plots skipped: " + script.string() + " not found"};
  }
  const std::optional<fs::path> python = find_python();
  if (!python) {
    return {
        false,
        std::string("plots skipped: python3 not found (") + kInstallHint + ")"};
  }
  const auto [code, output] =
      run_captured({python->string(), script.string(), run_dir.string()});
  if (code == 0) return {true, output};
  if (code == -1) {
    return {
        false, "plots skipped: cannot run " + python->string() + ": " + output};
  }
  if (code == kMissingDependency) {
    return {false, "plots skipped: " + last_line(output)};
  }
  return {
      false,
      "plots failed (" + script.filename().string() + " exit " +
          std::to_string(code) + "): " + last_line(output)};
}

}  // namespace initforge::cli
