// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/install_layout.h"

#include <system_error>

#ifndef INITFORGE_BIN_TO_PREFIX
#error "InitforgeInstall.cmake defines the install layout macros"
#endif

namespace initforge::cli {
namespace {

namespace fs = std::filesystem;

// The prefix an installed executable would have: <bin>/<bin-to-prefix>.
fs::path candidate_prefix() {
  const fs::path exe = executable_path();
  if (exe.empty()) return {};
  // "/opt/x/bin/.." normalizes to "/opt/x/": drop the empty last element.
  fs::path prefix =
      (exe.parent_path() / INITFORGE_BIN_TO_PREFIX).lexically_normal();
  if (!prefix.has_filename() && prefix != prefix.root_path()) {
    prefix = prefix.parent_path();
  }
  return prefix;
}

}  // namespace

fs::path executable_path() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path resolved = fs::weakly_canonical(exe, ec);
  return ec ? exe : resolved;
}

std::optional<fs::path> installed_prefix() {
  const fs::path prefix = candidate_prefix();
  if (prefix.empty()) return std::nullopt;
  std::error_code ec;
  const fs::path config =
      prefix / INITFORGE_INSTALL_CMAKEDIR / "initforgeConfig.cmake";
  if (!fs::is_regular_file(config, ec)) return std::nullopt;
  return prefix;
}

std::string initforge_version() {
  return INITFORGE_VERSION_TEXT;
}

fs::path plot_script_path() {
  const fs::path prefix = candidate_prefix();
  if (!prefix.empty()) {
    const fs::path installed = prefix / INITFORGE_INSTALL_PLOT_SCRIPT;
    std::error_code ec;
    if (fs::is_regular_file(installed, ec)) return installed;
  }
  return fs::path(INITFORGE_PLOT_SCRIPT);
}

}  // namespace initforge::cli
