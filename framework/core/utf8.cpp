// SPDX-License-Identifier: Apache-2.0
#include "framework/core/utf8.h"

namespace initforge {
namespace {

bool in(unsigned char c, unsigned char low, unsigned char high) {
  return c >= low && c <= high;
}

// Length of the well-formed sequence starting at text[i], or 0 (RFC 3629's
// table: the second byte's range depends on the first).
std::size_t sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  unsigned char low = 0x80, high = 0xbf;
  std::size_t length = 0;
  if (in(b0, 0xc2, 0xdf)) {
    length = 2;
  } else if (in(b0, 0xe0, 0xef)) {
    length = 3;
    if (b0 == 0xe0) low = 0xa0;   // overlong
    if (b0 == 0xed) high = 0x9f;  // surrogates
  } else if (in(b0, 0xf0, 0xf4)) {
    length = 4;
    if (b0 == 0xf0) low = 0x90;   // overlong
    if (b0 == 0xf4) high = 0x8f;  // past U+10FFFF
  } else {
    return 0;
  }
  if (!in(byte(1), low, high)) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (!in(byte(k), 0x80, 0xbf)) return 0;
  }
  return length;
}

}  // namespace

std::size_t first_invalid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string escape_invalid_utf8(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n != 0) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i++]);
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

}  // namespace initforge
