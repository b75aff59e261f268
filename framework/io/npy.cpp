// SPDX-License-Identifier: Apache-2.0
#include "framework/io/npy.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "framework/core/error.h"
#include "framework/io/atomic_file.h"
#include "framework/io/npy_header.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
static_assert(
    std::endian::native == std::endian::little,
    ".npy '<f4' data is written and read as raw little-endian floats");

[[noreturn]] void io_fail(const fs::path& path, const std::string& what) {
  throw IoError(path.string() + ": " + what);
}

[[noreturn]] void errno_fail(const fs::path& path, const std::string& what) {
  io_fail(path, what + ": " + std::strerror(errno));
}

}  // namespace

void write_npy(const fs::path& path, ConstTensorView tensor) {
  const std::string preamble = detail::npy_preamble(tensor.shape());
  detail::AtomicFile file(path);
  file.write(preamble);
  file.write(tensor.data().data(), tensor.data().size_bytes());
  file.commit();
}

Tensor read_npy(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) io_fail(path, "no such file");
    errno_fail(path, "cannot open");
  }
  char fixed[8];
  in.read(fixed, sizeof fixed);
  if (in.gcount() < 8 || std::memcmp(fixed, "\x93NUMPY", 6) != 0) {
    io_fail(path, "not a .npy file (no \\x93NUMPY magic)");
  }
  const int major = static_cast<unsigned char>(fixed[6]);
  if (major < 1 || major > 3) {
    io_fail(
        path, ".npy version " + std::to_string(major) + " is not supported");
  }
  // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4.
  const int width = major == 1 ? 2 : 4;
  unsigned char length_bytes[4] = {};
  in.read(reinterpret_cast<char*>(length_bytes), width);
  if (in.gcount() < width) io_fail(path, "truncated .npy header");
  std::size_t length = 0;
  for (int i = width - 1; i >= 0; --i) length = length << 8 | length_bytes[i];
  if (length > (1u << 20)) io_fail(path, "implausible .npy header length");
  std::string dict(length, '\0');
  in.read(dict.data(), static_cast<std::streamsize>(length));
  if (static_cast<std::size_t>(in.gcount()) < length) {
    io_fail(path, "truncated .npy header");
  }

  const detail::NpyHeader header = detail::parse_npy_dict(dict, path.string());
  if (header.descr != "<f4") {
    io_fail(
        path,
        "dtype '" + header.descr +
            "' is not supported; expected '<f4' (little-endian float32)");
  }
  if (header.fortran_order) {
    io_fail(path, "Fortran-order arrays are not supported; save in C order");
  }
  if (header.shape.size() > Shape::kMaxRank) {
    io_fail(
        path,
        "rank " + std::to_string(header.shape.size()) +
            " exceeds the maximum " + std::to_string(Shape::kMaxRank));
  }
  Shape shape;
  try {
    shape = Shape(std::span<const std::int64_t>(header.shape));
  } catch (const Error& e) {
    io_fail(path, std::string("bad shape in .npy header: ") + e.what());
  }

  // Compare with the file size before allocating: a corrupt header must not
  // ask for terabytes.
  std::error_code ec;
  const std::uintmax_t file_size = fs::file_size(path, ec);
  if (ec) io_fail(path, "cannot read the file size: " + ec.message());
  const std::uintmax_t offset = 8 + static_cast<std::uintmax_t>(width) + length;
  const std::uintmax_t available = file_size > offset ? file_size - offset : 0;
  const auto numel = static_cast<std::uintmax_t>(shape.numel());
  const bool truncated = numel > available / sizeof(float);
  if (truncated || numel * sizeof(float) != available) {
    const std::string needs = numel > UINTMAX_MAX / sizeof(float)
                                  ? "more than 2^64"
                                  : std::to_string(numel * sizeof(float));
    io_fail(
        path,
        std::string(truncated ? "truncated: " : "data size mismatch: ") +
            "shape " + shape.to_string() + " needs " + needs +
            " bytes of data, the file has " + std::to_string(available));
  }

  Tensor tensor = Tensor::empty(shape);
  const auto bytes = static_cast<std::streamsize>(available);
  in.read(reinterpret_cast<char*>(tensor.data()), bytes);
  if (in.gcount() < bytes) io_fail(path, "read failed (file changed?)");
  return tensor;
}

}  // namespace initforge
