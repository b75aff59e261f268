// SPDX-License-Identifier: Apache-2.0
#pragma once

// Writes small IDX files (gzip via zlib, or raw) for the data tests.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <zlib.h>

namespace initforge::testing {

/// The bytes of an IDX file: big-endian magic, dims, then `data`.
inline std::string idx_bytes(
    std::uint32_t magic,
    const std::vector<std::uint32_t>& dims,
    const std::vector<std::uint8_t>& data) {
  std::string out;
  auto put = [&out](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((v >> shift) & 0xFF));
    }
  };
  put(magic);
  for (std::uint32_t d : dims) {
    put(d);
  }
  out.append(data.begin(), data.end());
  return out;
}

/// Writes `bytes` gzip-compressed to `path`.
inline void write_gz(
    const std::filesystem::path& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (f == nullptr) {
    throw std::runtime_error("gzopen failed: " + path.string());
  }
  const int written =
      gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  if (written != static_cast<int>(bytes.size())) {
    throw std::runtime_error("gzwrite failed: " + path.string());
  }
}

inline void write_raw(
    const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string read_raw(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// `count` images of rows x cols where pixel j of image i is (i * 7 + j) % 256.
inline std::vector<std::uint8_t> test_pixels(
    std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  std::vector<std::uint8_t> px(std::size_t{count} * rows * cols);
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t j = 0; j < std::size_t{rows} * cols; ++j) {
      px[i * rows * cols + j] = static_cast<std::uint8_t>((i * 7 + j) % 256);
    }
  }
  return px;
}

/// Writes an images and a labels .gz file (Debian names for `stem`, "train"
/// or "t10k") into `dir`; label i is i % 10.
inline void write_split(
    const std::filesystem::path& dir,
    const std::string& stem,
    std::uint32_t images,
    std::uint32_t labels,
    std::uint32_t rows = 28,
    std::uint32_t cols = 28) {
  write_gz(
      dir / (stem + "-images-idx3-ubyte.gz"),
      idx_bytes(0x803, {images, rows, cols}, test_pixels(images, rows, cols)));
  std::vector<std::uint8_t> lab(labels);
  for (std::size_t i = 0; i < labels; ++i) {
    lab[i] = static_cast<std::uint8_t>(i % 10);
  }
  write_gz(
      dir / (stem + "-labels-idx1-ubyte.gz"), idx_bytes(0x801, {labels}, lab));
}

}  // namespace initforge::testing
