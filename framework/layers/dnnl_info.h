// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "framework/core/export.h"

namespace initforge {

/// The version of the oneDNN library loaded at run time, "2.6.3".
INITFORGE_API std::string onednn_version();

}  // namespace initforge
