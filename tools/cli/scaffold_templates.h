// SPDX-License-Identifier: Apache-2.0
#pragma once

// The files `initforge new-plugin` writes: a plugin project that builds
// unmodified against an installed initforge package and whose one scheme
// passes `initforge check-plugin`.

#include <string>
#include <vector>

namespace initforge::cli {

/// What the templates are filled with.
struct ScaffoldParams {
  std::string name;           // scheme, library and project name
  std::string version;        // initforge's version, "0.1.0"
  std::string prefix;         // install prefix for CMAKE_PREFIX_PATH
  bool prefix_known = false;  // false: running from a build tree
  std::string cli;            // how to invoke this initforge
};

/// One file of the project, by its name inside the project directory.
struct ScaffoldFile {
  std::string name;
  std::string text;
};

/// CMakeLists.txt, NAME.cpp and README.md.
std::vector<ScaffoldFile> scaffold_files(const ScaffoldParams& params);

/// "0.1" from "0.1.0": what find_package asks for (SameMajorVersion).
std::string major_minor(const std::string& version);

}  // namespace initforge::cli
