// SPDX-License-Identifier: Apache-2.0
#include "framework/io/npy_header.h"

#include <cctype>
#include <charconv>

#include "framework/core/error.h"

namespace initforge::detail {

std::string npy_preamble(const Shape& shape) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.rank(); ++i) {
    if (i > 0) dict += ", ";
    dict += std::to_string(shape[i]);
  }
  dict += shape.rank() == 1 ? ",), }" : "), }";  // Python's 1-tuple
  // numpy pads with spaces and ends with '\n' so that the data starts at a
  // multiple of 64 bytes.
  constexpr std::size_t kFixed = 10;  // magic(6) + version(2) + length(2)
  const std::size_t total = (kFixed + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - kFixed - dict.size() - 1, ' ');
  dict += '\n';
  const auto length = static_cast<std::uint16_t>(dict.size());
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(length & 0xff);
  out += static_cast<char>(length >> 8);
  return out + dict;
}

namespace {

// Recursive-descent reader for the small Python-literal subset numpy writes.
class DictReader {
 public:
  DictReader(std::string_view text, const std::string& file)
      : text_(text), file_(file) {}

  NpyHeader read() {
    NpyHeader header;
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{');
    while (!peek('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        header.descr = string_literal();
        has_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = boolean();
        has_order = true;
      } else if (key == "shape") {
        header.shape = tuple();
        has_shape = true;
      } else {
        fail("unexpected key '" + key + "'");
      }
      if (!peek('}')) expect(',');
    }
    expect('}');
    if (!has_descr || !has_order || !has_shape) {
      fail("missing one of 'descr', 'fortran_order', 'shape'");
    }
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw IoError(file_ + ": bad .npy header: " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() &&
           std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c))
      fail(std::string("expected '") + c + "' at byte " + std::to_string(pos_));
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
      fail("expected a quoted string at byte " + std::to_string(pos_));
    }
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string out(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] :
         {std::pair{"True", true}, {"False", false}}) {
      const std::string_view w(word);
      if (text_.substr(pos_, w.size()) == w) {
        pos_ += w.size();
        return value;
      }
    }
    fail("expected True or False at byte " + std::to_string(pos_));
  }
  std::vector<std::int64_t> tuple() {
    std::vector<std::int64_t> dims;
    expect('(');
    while (!peek(')')) {
      std::int64_t dim = 0;
      const char* begin = text_.data() + pos_;
      const auto [ptr, ec] =
          std::from_chars(begin, text_.data() + text_.size(), dim);
      if (ec != std::errc() || dim < 0) {
        fail(
            "expected a non-negative dimension at byte " +
            std::to_string(pos_));
      }
      pos_ += static_cast<std::size_t>(ptr - begin);
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2
      dims.push_back(dim);
      if (!peek(')')) expect(',');
    }
    expect(')');
    return dims;
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
};

}  // namespace

NpyHeader parse_npy_dict(std::string_view dict, const std::string& file) {
  return DictReader(dict, file).read();
}

}  // namespace initforge::detail
