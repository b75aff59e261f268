// SPDX-License-Identifier: Apache-2.0
#pragma once

// Writes small CIFAR-10 binary batches and .npy arrays of any dtype for the
// data tests.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace initforge::testing {

/// CIFAR-10 records: record r has label labels[r] and pixel j (of 3072,
/// channel-major) equal to ((first + r) * 5 + j) % 256, `first` being the
/// record's index in the whole split.
inline std::string cifar_records(
    const std::vector<std::uint8_t>& labels, std::size_t first = 0) {
  std::string out;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    out.push_back(static_cast<char>(labels[r]));
    for (std::size_t j = 0; j < 3072; ++j) {
      out.push_back(static_cast<char>(((first + r) * 5 + j) % 256));
    }
  }
  return out;
}

inline void write_bytes(
    const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// A CIFAR-10 directory: `per_file` training records in each of the five
/// data batches and `test` records in test_batch.bin; label of record i of
/// a split is i % 10.
inline void write_cifar_dir(
    const std::filesystem::path& dir, std::size_t per_file, std::size_t test) {
  const auto labels = [](std::size_t first, std::size_t n) {
    std::vector<std::uint8_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = static_cast<std::uint8_t>((first + i) % 10);
    }
    return out;
  };
  for (std::size_t f = 0; f < 5; ++f) {
    write_bytes(
        dir / ("data_batch_" + std::to_string(f + 1) + ".bin"),
        cifar_records(labels(f * per_file, per_file), f * per_file));
  }
  write_bytes(dir / "test_batch.bin", cifar_records(labels(0, test)));
}

/// A version 1.0 .npy file of `descr` ('|u1', '<i8', ...) and `shape`
/// holding `data`'s bytes.
template <typename T>
std::string npy_bytes(
    const std::string& descr,
    const std::vector<std::int64_t>& shape,
    const std::vector<T>& data) {
  std::string dims;
  for (const std::int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  std::string dict = "{'descr': '" + descr +
                     "', 'fortran_order': False, 'shape': (" + dims + "), }";
  dict += std::string((64 - (10 + dict.size() + 1) % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  std::string payload(data.size() * sizeof(T), '\0');
  if (!data.empty()) std::memcpy(payload.data(), data.data(), payload.size());
  return out + payload;
}

template <typename T>
std::filesystem::path write_npy_file(
    const std::filesystem::path& path,
    const std::string& descr,
    const std::vector<std::int64_t>& shape,
    const std::vector<T>& data) {
  write_bytes(path, npy_bytes(descr, shape, data));
  return path;
}

}  // namespace initforge::testing
