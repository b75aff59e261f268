// SPDX-License-Identifier: Apache-2.0
#include "framework/core/utf8.h"

#include <string>

#include <gtest/gtest.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

TEST(Utf8, ValidTextIsUnchanged) {
  // ASCII, 2-, 3- and 4-byte sequences at the edges of their ranges.
  const std::string text =
      "fc1.weight \xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xef\xbf\xbf "
      "\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf";
  EXPECT_EQ(first_invalid_utf8(text), std::string::npos);
  EXPECT_EQ(escape_invalid_utf8(text), text);
  EXPECT_EQ(escape_invalid_utf8(""), "");
}

TEST(Utf8, InvalidBytesAreEscapedOneByOne) {
  const struct {
    std::string in, escaped;
    std::size_t first;
  } cases[] = {
      {"a\xff"
       "b",
       "a\\xffb",
       1},                                     // never in UTF-8
      {"\x80", "\\x80", 0},                    // lone continuation byte
      {"x\xc3", "x\\xc3", 1},                  // truncated at the end
      {"\xc3(", "\\xc3(", 0},                  // lead byte without continuation
      {"\xc0\xaf", "\\xc0\\xaf", 0},           // overlong '/'
      {"\xe0\x80\xaf", "\\xe0\\x80\\xaf", 0},  // overlong 3-byte
      {"\xed\xa0\x80", "\\xed\\xa0\\x80", 0},  // UTF-16 surrogate
      {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80", 0},  // past U+10FFFF
      {"\xf5\x80", "\\xf5\\x80", 0},
      {"ok \xe2\x82\xac \xe2\x82", "ok \xe2\x82\xac \\xe2\\x82", 7},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(escape_invalid_utf8(c.in), c.escaped) << c.escaped;
    EXPECT_EQ(first_invalid_utf8(c.in), c.first) << c.escaped;
    // Escaped text is valid: escaping again changes nothing.
    EXPECT_EQ(first_invalid_utf8(c.escaped), std::string::npos);
    EXPECT_EQ(escape_invalid_utf8(c.escaped), c.escaped);
  }
}

TEST(Utf8, ErrorMessagesAreEscaped) {
  EXPECT_STREQ(
      IoError("w\xff.safetensors: bad").what(), "w\\xff.safetensors: bad");
  const ConfigError e(
      "c.json",
      "/layers/0",
      "unknown type \"Lin\xe9"
      "ar\"");
  EXPECT_STREQ(e.what(), "c.json: /layers/0: unknown type \"Lin\\xe9ar\"");
}

}  // namespace
}  // namespace initforge
