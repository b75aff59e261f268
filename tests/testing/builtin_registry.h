// SPDX-License-Identifier: Apache-2.0
#pragma once

// The registry with every built-in plugin loaded (from the build tree's
// plugins/ directory), once per test process. Link initforge_testing and
// add_dependencies(<test> initforge_builtin_plugins).

#include "framework/plugin/loader.h"
#include "framework/plugin/registry.h"

#ifndef INITFORGE_TEST_PLUGIN_DIR
#error "INITFORGE_TEST_PLUGIN_DIR must be defined (initforge_testing does)"
#endif

namespace initforge::testing {

/// All built-in schemes; loaded on first use, on the calling thread.
inline const Registry& builtin_registry() {
  static Registry registry;
  static const bool loaded = [] {
    load_plugin_dir(INITFORGE_TEST_PLUGIN_DIR, registry);
    return true;
  }();
  static_cast<void>(loaded);
  return registry;
}

}  // namespace initforge::testing
