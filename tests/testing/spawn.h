// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs a program with no shell involved (Boost.Process), stdout and stderr
// captured through temporary files: the one process runner of the CLI and
// package tests.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/io.hpp>
#include <boost/process/start_dir.hpp>
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
/// (boost::process::search_path needs libboost_filesystem, which
/// libboost-dev does not bring.)
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

/// The environment of "NAME=value" entries (nullptr: this process's).
inline boost::process::environment environment_of(char* const* envp) {
  boost::process::environment env;
  env.clear();
  for (char* const* e = envp != nullptr ? envp : environ; *e != nullptr; ++e) {
    const std::string_view entry = *e;
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(
        std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

/// Runs argv[0] (searched in PATH) with `envp` (nullptr: this process's
/// environment), in `cwd` when given, and waits for it.
inline SpawnResult spawn_capture(
    std::vector<std::string> argv_text,
    char* const* envp = nullptr,
    const std::optional<std::filesystem::path>& cwd = std::nullopt) {
  namespace bp = boost::process;
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
  try {
    bp::child child = cwd ? bp::child(
                                bp::exe = exe,
                                bp::args = args,
                                bp::std_out > out_path,
                                bp::std_err > err_path,
                                bp::start_dir = cwd->string(),
                                environment_of(envp))
                          : bp::child(
                                bp::exe = exe,
                                bp::args = args,
                                bp::std_out > out_path,
                                bp::std_err > err_path,
                                environment_of(envp));
    child.wait();
    const int status = child.native_exit_code();
    result.exit_code =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } catch (const bp::process_error& e) {
    result.err = std::string("cannot run ") + exe + ": " + e.what();
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
