// SPDX-License-Identifier: Apache-2.0
#include "framework/io/idx.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include <zlib.h>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;
constexpr std::uint32_t kLabelsMagic = 0x00000801;
// Read in slices so a header claiming a huge count fails as "truncated"
// after reading what is there, instead of allocating the claimed size first.
constexpr std::size_t kChunk = std::size_t{1} << 22;
constexpr std::size_t kFirstChunk = std::size_t{1} << 16;
constexpr std::uintmax_t kMinGzBuffer = 8192;  // zlib's default
constexpr std::uintmax_t kMaxGzBuffer = std::uintmax_t{1} << 18;

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", value);
  return text;
}

// A gzFile that closes itself; gzopen reads non-gzip files transparently.
class GzReader {
 public:
  explicit GzReader(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      fail("file not found");
    }
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      fail(
          std::string("cannot open: ") +
          (errno != 0 ? std::strerror(errno) : "out of memory"));
    }
    // zlib's buffers are this size in and twice it out: big for the 26 MB
    // datasets, no bigger than the file for small ones.
    const std::uintmax_t bytes = std::filesystem::file_size(path, ec);
    gzbuffer(
        file_,
        static_cast<unsigned>(std::clamp<std::uintmax_t>(
            ec ? kMaxGzBuffer : bytes, kMinGzBuffer, kMaxGzBuffer)));
  }
  ~GzReader() {
    if (file_ != nullptr) {
      gzclose(file_);
    }
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  [[noreturn]] void fail(const std::string& what) const {
    throw IoError(path_.string() + ": " + what);
  }

  // Reads up to `size` bytes; returns how many (fewer only at end of data).
  // Corrupt or cut-off gzip streams throw, naming zlib's reason.
  std::size_t read(void* dst, std::size_t size) {
    auto* out = static_cast<unsigned char*>(dst);
    std::size_t done = 0;
    while (done < size) {
      const auto want =
          static_cast<unsigned>(std::min<std::size_t>(size - done, kChunk));
      const int got = gzread(file_, out + done, want);
      if (got < 0) {
        check_error();
        fail("read error");
      }
      if (got == 0) {
        break;
      }
      done += static_cast<std::size_t>(got);
    }
    check_error();
    return done;
  }

  std::uint32_t read_u32(const char* what) {
    std::array<unsigned char, 4> b{};
    if (read(b.data(), b.size()) != b.size()) {
      fail(
          std::string("truncated: file ends inside the header (") + what + ")");
    }
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
           (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
  }

  // Reads exactly `size` payload bytes and checks nothing follows them
  // (which also makes zlib verify the gzip trailer's CRC and length).
  std::vector<std::uint8_t> read_payload(std::size_t size) {
    std::vector<std::uint8_t> data;
    while (data.size() < size) {
      // Grow with what was read (64 KiB, doubling up to kChunk): a header
      // that claims more than a short file holds costs no big buffer.
      const std::size_t old = data.size();
      const std::size_t step = std::clamp(old, kFirstChunk, kChunk);
      const std::size_t want = std::min(size - old, step);
      data.resize(old + want);
      const std::size_t got = read(data.data() + old, want);
      if (got < want) {
        fail(
            "truncated: " +
            expected_got(
                std::to_string(size) + " data bytes after the header",
                std::to_string(old + got)));
      }
    }
    unsigned char extra = 0;
    if (read(&extra, 1) != 0) {
      fail(
          "unexpected data after the " + std::to_string(size) +
          " data bytes the header announces");
    }
    return data;
  }

 private:
  void check_error() {
    int code = Z_OK;
    const char* message = gzerror(file_, &code);
    if (code == Z_BUF_ERROR) {
      fail("truncated gzip stream (unexpected end of file)");
    }
    if (code == Z_ERRNO) {
      fail(std::string("read error: ") + std::strerror(errno));
    }
    if (code != Z_OK) {
      fail(std::string("corrupt gzip data: ") + message);
    }
  }

  std::filesystem::path path_;
  gzFile file_ = nullptr;
};

void check_magic(GzReader& in, std::uint32_t expected, const char* kind) {
  const std::uint32_t magic = in.read_u32("magic");
  if (magic != expected) {
    in.fail(
        std::string("not an IDX ") + kind +
        " file: " + expected_got("magic " + hex32(expected), hex32(magic)));
  }
}

}  // namespace

IdxImages read_idx_images(const std::filesystem::path& path) {
  GzReader in(path);
  check_magic(in, kImagesMagic, "images");
  IdxImages out;
  out.count = in.read_u32("image count");
  out.rows = in.read_u32("rows");
  out.cols = in.read_u32("cols");
  if (out.rows == 0 || out.cols == 0) {
    in.fail(expected_got(
        "images of at least 1x1 pixels",
        std::to_string(out.rows) + "x" + std::to_string(out.cols)));
  }
  // Each factor is < 2^32: two multiply in uint64 (not int64, which
  // overflows), the product of three fits only if checked.
  const std::uint64_t per_image = static_cast<std::uint64_t>(out.rows) *
                                  static_cast<std::uint64_t>(out.cols);
  if (per_image >
      (std::uint64_t{1} << 40) / std::max<std::int64_t>(out.count, 1)) {
    in.fail(
        "header claims " + std::to_string(out.count) + " images of " +
        std::to_string(out.rows) + "x" + std::to_string(out.cols) +
        " pixels, more than 1 TiB");
  }
  out.pixels = in.read_payload(static_cast<std::size_t>(
      static_cast<std::uint64_t>(out.count) * per_image));
  return out;
}

std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& path) {
  GzReader in(path);
  check_magic(in, kLabelsMagic, "labels");
  const std::uint32_t count = in.read_u32("label count");
  return in.read_payload(count);
}

}  // namespace initforge
