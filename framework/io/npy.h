// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "framework/core/export.h"
#include "framework/core/shape.h"
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

/// The element types read_npy_info can accept: '|u1' (or '<u1'), '<i4',
/// '<i8' and '<f4'.
enum class NpyDtype { U8, I32, I64, F32 };

/// "uint8", "int32", "int64", "float32".
INITFORGE_API std::string_view to_string(NpyDtype dtype);
/// Bytes per element.
INITFORGE_API std::size_t item_size(NpyDtype dtype);

/// A .npy file's header, checked against the file's size.
struct NpyInfo {
  NpyDtype dtype = NpyDtype::F32;
  Shape shape;
  std::uintmax_t data_offset = 0;  // where the data starts in the file
  std::size_t data_bytes() const {
    return static_cast<std::size_t>(shape.numel()) * item_size(dtype);
  }
};

/// Reads and checks the header of a C-order .npy (versions 1.0-3.0) whose
/// dtype is one of `accepted`, without reading the data. IoError naming the
/// file for everything read_npy refuses; another dtype names the accepted
/// ones ("expected '<f4' (float32)").
INITFORGE_API NpyInfo read_npy_info(
    const std::filesystem::path& path, std::span<const NpyDtype> accepted);

/// Reads the data that `info` (read_npy_info of the same file) describes
/// into `dst`, which must hold exactly info.data_bytes(). IoError naming the
/// file when it cannot be read (or changed since).
INITFORGE_API void read_npy_data(
    const std::filesystem::path& path,
    const NpyInfo& info,
    std::span<std::byte> dst);

}  // namespace initforge
