// SPDX-License-Identifier: Apache-2.0
#pragma once

// MNIST-format IDX files (yann.lecun.com/exdb/mnist), gzip-compressed or raw:
// a big-endian magic 0x000008DD (type 0x08 = unsigned byte, DD = rank), one
// big-endian uint32 per dimension, then the bytes in C order.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "framework/core/export.h"

namespace initforge {

/// An images file: `count` images of rows x cols bytes, image-major.
struct IdxImages {
  std::int64_t count = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols bytes
};

/// Reads an idx3-ubyte file (magic 0x00000803), gzip or raw. Throws IoError
/// naming the path for a missing or unreadable file, corrupt gzip data, a
/// wrong magic, zero rows/cols, or data shorter or longer than the header says.
INITFORGE_API IdxImages read_idx_images(const std::filesystem::path& path);

/// Reads an idx1-ubyte file (magic 0x00000801): one byte per label. Same
/// errors as read_idx_images.
INITFORGE_API std::vector<std::uint8_t> read_idx_labels(
    const std::filesystem::path& path);

}  // namespace initforge
