// SPDX-License-Identifier: Apache-2.0
#pragma once

// Hand-made safetensors files for reader tests: any header text, any data,
// so each of the format's rules can be broken on its own.

#include <cstdint>
#include <string>

namespace initforge::testing {

/// The 8-byte little-endian `length` (by default the header's size), the
/// header and the data bytes.
inline std::string safetensors_bytes(
    const std::string& header,
    const std::string& data,
    std::uint64_t length = UINT64_MAX) {
  if (length == UINT64_MAX) length = header.size();
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) {
    bytes[static_cast<std::size_t>(i)] =
        static_cast<char>((length >> (8 * i)) & 0xff);
  }
  return bytes + header + data;
}

/// `{"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}` (shape
/// and the offsets as JSON text, to allow malformed ones).
inline std::string tensor_json(
    const std::string& dtype,
    const std::string& shape,
    const std::string& offsets) {
  return R"({"dtype":")" + dtype + R"(","shape":)" + shape +
         R"(,"data_offsets":)" + offsets + "}";
}

}  // namespace initforge::testing
