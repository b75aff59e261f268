// SPDX-License-Identifier: Apache-2.0
#pragma once

// Where the running `initforge` is and whether it is an installed copy. An
// install is relocatable, so everything is found relative to the executable
// (paths baked by framework/cmake/InitforgeInstall.cmake), never by the
// prefix it was configured with.

#include <filesystem>
#include <optional>
#include <string>

namespace initforge::cli {

/// The running executable (/proc/self/exe), symlinks resolved.
std::filesystem::path executable_path();

/// The install prefix when this executable is an installed one (its
/// <prefix>/<libdir>/cmake/initforge/initforgeConfig.cmake exists);
/// nullopt when it runs from a build tree.
std::optional<std::filesystem::path> installed_prefix();

/// initforge's version ("0.1.0").
std::string initforge_version();

/// tools/plot_training.py: the installed copy
/// (<prefix>/share/initforge/plot_training.py) when this is an install,
/// else the source tree's the binary was built from.
std::filesystem::path plot_script_path();

}  // namespace initforge::cli
