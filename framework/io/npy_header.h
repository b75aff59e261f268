// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to npy.cpp: the .npy header is a Python dict literal; this turns
// it to and from plain values.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "framework/core/shape.h"

namespace initforge::detail {

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

/// Magic, version 1.0, length and the padded dict for a '<f4' C-order array:
/// everything that precedes the data (a multiple of 64 bytes).
std::string npy_preamble(const Shape& shape);

/// Parses "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }".
/// Throws IoError("<file>: bad .npy header: ...") on anything else.
NpyHeader parse_npy_dict(std::string_view dict, const std::string& file);

}  // namespace initforge::detail
