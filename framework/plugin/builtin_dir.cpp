// SPDX-License-Identifier: Apache-2.0
// Where the built-in plugins are. Installed, they sit next to this library
// (<libdir>/initforge/plugins), wherever the prefix was moved to; in a build
// tree that directory does not exist and the baked build path is used.
#include <filesystem>
#include <system_error>

#include <dlfcn.h>

#include "framework/plugin/loader.h"

#ifndef INITFORGE_PLUGIN_DIR
#error "INITFORGE_PLUGIN_DIR must be defined by the build"
#endif
#ifndef INITFORGE_PLUGIN_SUBDIR
#error "INITFORGE_PLUGIN_SUBDIR must be defined by the build"
#endif

namespace initforge {
namespace {

namespace fs = std::filesystem;

// Any object of this library: dladdr maps its address to the library file.
const char kAnchor = 0;

// The directory of the loaded libinitforge_core, or empty when unknown.
fs::path core_library_dir() {
  Dl_info info{};
  if (::dladdr(&kAnchor, &info) == 0 || info.dli_fname == nullptr) return {};
  std::error_code ec;
  const fs::path library = fs::canonical(info.dli_fname, ec);
  return ec ? fs::path() : library.parent_path();
}

}  // namespace

std::filesystem::path builtin_plugin_dir() {
  const fs::path library_dir = core_library_dir();
  if (!library_dir.empty()) {
    const fs::path installed = library_dir / INITFORGE_PLUGIN_SUBDIR;
    std::error_code ec;
    if (fs::is_directory(installed, ec)) return installed;
  }
  return fs::path(INITFORGE_PLUGIN_DIR);
}

}  // namespace initforge
