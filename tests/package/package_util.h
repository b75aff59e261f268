// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the package tests: where the installed prefix is, how to
// configure and build a plugin project against it alone, and the expected
// values of a parameter (the philox stream the scheme draws from).

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/generator.h"
#include "framework/io/safetensors.h"

#include "tests/package/process.h"

namespace initforge::testing {

namespace fs = std::filesystem;

/// The fixture's install prefix (symlinks resolved, as the CLI reports it).
inline fs::path package_prefix() {
  return fs::canonical(INITFORGE_PACKAGE_PREFIX);
}

inline fs::path installed_cli() {
  return package_prefix() / "bin" / "initforge";
}

inline fs::path installed_plugin_dir() {
  return package_prefix() / INITFORGE_INSTALL_LIBDIR / "initforge" / "plugins";
}

/// An empty directory of the build tree for one test (kept afterwards, for
/// looking at a failure).
inline fs::path fresh_work_dir(const std::string& name) {
  const fs::path dir = fs::path(INITFORGE_PACKAGE_WORK) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return fs::canonical(dir);
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// `cmake -S source -B build` with the build's generator and compiler and
/// CMAKE_PREFIX_PATH=prefix as the only way to find initforge: no package
/// registries, and process.h removes initforge_DIR / CMAKE_PREFIX_PATH from
/// the environment.
inline ProcessResult configure_project(
    const fs::path& source,
    const fs::path& build,
    const fs::path& prefix = package_prefix()) {
  return run_process(
      {INITFORGE_CMAKE,
       "-S",
       source.string(),
       "-B",
       build.string(),
       "-G",
       INITFORGE_CMAKE_GENERATOR,
       "-DCMAKE_MAKE_PROGRAM=" INITFORGE_MAKE_PROGRAM,
       "-DCMAKE_CXX_COMPILER=" INITFORGE_CXX_COMPILER,
       "-DCMAKE_PREFIX_PATH=" + prefix.string(),
       "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF",
       "-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF"},
      source);
}

inline ProcessResult build_project(const fs::path& build) {
  return run_process({INITFORGE_CMAKE, "--build", build.string()}, build);
}

/// A CMakeCache.txt entry ("" when absent).
inline std::string cache_value(const fs::path& build, const std::string& key) {
  std::istringstream in(read_text(build / "CMakeCache.txt"));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(key + ":")) return line.substr(line.find('=') + 1);
  }
  return "";
}

/// A successful CLI run: exit 0 and nothing from a sanitizer runtime.
inline void expect_clean_success(const ProcessResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.text;
  EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.text;
  EXPECT_EQ(r.err.find("runtime error"), std::string::npos) << r.text;
}

/// U[from, to) as the scheme's philox generator draws it for `path`.
inline std::vector<float> philox_uniform(
    std::uint64_t seed,
    const std::string& path,
    std::size_t count,
    double from,
    double to) {
  std::vector<float> values(count);
  const auto source = RandomSource::create(RngKind::Philox, seed);
  source->generator_for(path)->uniform(values, from, to);
  return values;
}

/// A saved parameter's values.
inline std::vector<float> saved_values(
    const SafetensorsFile& file, const std::string& name) {
  const Tensor tensor = file.at(name).to_tensor();
  return {tensor.span().begin(), tensor.span().end()};
}

}  // namespace initforge::testing
