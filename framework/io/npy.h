// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>

#include "framework/core/export.h"
#include "framework/core/tensor.h"
#include "framework/core/tensor_view.h"

namespace initforge {

/// Writes `tensor` as .npy version 1.0 (little-endian float32 '<f4', C
/// order). Atomic: the data goes to a temporary file in the same directory,
/// is synced, and is renamed over `path`, so readers never see a partial
/// file. Throws IoError naming the path and the system's reason.
INITFORGE_API void write_npy(
    const std::filesystem::path& path, ConstTensorView tensor);

/// Reads a float32 C-order .npy (versions 1.0-3.0). Throws IoError naming
/// the file and what was found for a missing or truncated file, a bad header,
/// another dtype, or Fortran order.
INITFORGE_API Tensor read_npy(const std::filesystem::path& path);

}  // namespace initforge
