// SPDX-License-Identifier: Apache-2.0
#pragma once

// The one header an initializer plugin includes. A plugin is one shared
// library with one entry point, made by INITFORGE_PLUGIN:
//
//   #include "framework/plugin/plugin.h"
//   INITFORGE_PLUGIN(registrar) {
//     registrar.add({.name = "my_scheme", .doc = "...", .args = {...},
//                    .create = [](const initforge::Args& a) { ... }});
//   }
//
// Plugins see only core/ and init/: no oneDNN, no JSON, no layers. Host and
// plugins must be built by the same compiler and standard library.

#include <cstdint>

#ifndef BOOST_DLL_USE_STD_FS
#define BOOST_DLL_USE_STD_FS
#endif
#include <boost/dll/alias.hpp>

#include "framework/core/error.h"
#include "framework/core/generator.h"
#include "framework/core/tensor_view.h"
#include "framework/init/args.h"
#include "framework/init/calibration.h"
#include "framework/init/fans.h"
#include "framework/init/gain.h"
#include "framework/init/initializer.h"
#include "framework/init/target.h"

namespace initforge {

/// Bumped whenever any type a plugin sees changes layout or meaning.
inline constexpr std::uint32_t kPluginAbiVersion = 2;

/// Receives a plugin's schemes; the host's registry implements it.
class INITFORGE_API Registrar {
 public:
  virtual ~Registrar();
  virtual void add(SchemeInfo scheme) = 0;
};

/// What the entry point exports. abi_version stays the first member forever:
/// the loader reads it before touching anything else.
struct PluginDescriptor {
  std::uint32_t abi_version;
  const char* library_name;  // e.g. "initforge-random"
  const char* version;       // the plugin's own version, e.g. "0.1.0"
  void (*register_schemes)(Registrar& registrar);
};

/// The exported alias the loader looks up.
inline constexpr const char* kPluginEntryPoint = "initforge_plugin";

}  // namespace initforge

#ifndef INITFORGE_PLUGIN_NAME
#define INITFORGE_PLUGIN_NAME "unnamed"
#endif
#ifndef INITFORGE_PLUGIN_VERSION
#define INITFORGE_PLUGIN_VERSION "0.0.0"
#endif

/// Defines the plugin's registration function and exports its descriptor.
/// Set INITFORGE_PLUGIN_NAME / INITFORGE_PLUGIN_VERSION (the CMake helper
/// does) to name the library in `initforge plugins`.
#define INITFORGE_PLUGIN(registrar)                                    \
  static void initforge_register_schemes(::initforge::Registrar&);     \
  namespace initforge_plugin_export {                                  \
  extern "C" const ::initforge::PluginDescriptor initforge_descriptor; \
  const ::initforge::PluginDescriptor initforge_descriptor = {         \
      ::initforge::kPluginAbiVersion,                                  \
      INITFORGE_PLUGIN_NAME,                                           \
      INITFORGE_PLUGIN_VERSION,                                        \
      &initforge_register_schemes};                                    \
  BOOST_DLL_ALIAS(initforge_descriptor, initforge_plugin)              \
  }                                                                    \
  static void initforge_register_schemes(::initforge::Registrar& registrar)
