// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_core: checks shared by Registry::add and the
// loader, which validates a whole library before registering any of it.

#include <string>

#include "framework/init/initializer.h"

namespace initforge::detail {

/// "(in-process)" for schemes added without a library, else the path.
std::string library_label(const std::string& path);

/// Throws PluginError(library) for an empty name, a missing factory, or an
/// argument schema that contradicts itself (e.g. a default out of range).
void check_scheme(const SchemeInfo& scheme, const std::string& library);

/// `scheme "uniform" from A is already registered by B`.
std::string duplicate_message(
    const std::string& name,
    const std::string& new_library,
    const std::string& old_library);

}  // namespace initforge::detail
