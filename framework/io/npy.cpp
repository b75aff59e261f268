// SPDX-License-Identifier: Apache-2.0
#include "framework/io/npy.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/io/atomic_file.h"
#include "framework/io/npy_header.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
static_assert(
    std::endian::native == std::endian::little,
    ".npy little-endian data is written and read as raw native values");

[[noreturn]] void io_fail(const fs::path& path, const std::string& what) {
  throw IoError(path.string() + ": " + what);
}

[[noreturn]] void errno_fail(const fs::path& path, const std::string& what) {
  io_fail(path, what + ": " + std::strerror(errno));
}

// numpy writes '|u1' for uint8 (no byte order); '<u1' means the same.
std::optional<NpyDtype> parse_descr(const std::string& descr) {
  if (descr == "|u1" || descr == "<u1") return NpyDtype::U8;
  if (descr == "<i4") return NpyDtype::I32;
  if (descr == "<i8") return NpyDtype::I64;
  if (descr == "<f4") return NpyDtype::F32;
  return std::nullopt;
}

std::string_view descr_of(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::U8:
      return "|u1";
    case NpyDtype::I32:
      return "<i4";
    case NpyDtype::I64:
      return "<i8";
    case NpyDtype::F32:
      break;
  }
  return "<f4";
}

// "'<f4' (float32)" or "'|u1' (uint8) or '<f4' (float32)".
std::string accepted_list(std::span<const NpyDtype> accepted) {
  std::string out;
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    if (i > 0) out += i + 1 == accepted.size() ? " or " : ", ";
    out += "'" + std::string(descr_of(accepted[i])) + "' (" +
           std::string(to_string(accepted[i])) + ")";
  }
  return out;
}

}  // namespace

std::string_view to_string(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::U8:
      return "uint8";
    case NpyDtype::I32:
      return "int32";
    case NpyDtype::I64:
      return "int64";
    case NpyDtype::F32:
      break;
  }
  return "float32";
}

std::size_t item_size(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::U8:
      return 1;
    case NpyDtype::I32:
    case NpyDtype::F32:
      return 4;
    case NpyDtype::I64:
      break;
  }
  return 8;
}

void write_npy(const fs::path& path, ConstTensorView tensor) {
  const std::string preamble = detail::npy_preamble(tensor.shape());
  detail::AtomicFile file(path);
  file.write(preamble);
  file.write(tensor.data().data(), tensor.data().size_bytes());
  file.commit();
}

NpyInfo read_npy_info(
    const fs::path& path, std::span<const NpyDtype> accepted) {
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
  const std::optional<NpyDtype> dtype = parse_descr(header.descr);
  if (!dtype ||
      std::find(accepted.begin(), accepted.end(), *dtype) == accepted.end()) {
    io_fail(
        path,
        "dtype '" + header.descr + "' is not supported; expected " +
            accepted_list(accepted));
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
  NpyInfo info;
  info.dtype = *dtype;
  try {
    info.shape = Shape(std::span<const std::int64_t>(header.shape));
  } catch (const Error& e) {
    io_fail(path, std::string("bad shape in .npy header: ") + e.what());
  }

  // Compare with the file size before anyone allocates: a corrupt header
  // must not ask for terabytes.
  std::error_code ec;
  const std::uintmax_t file_size = fs::file_size(path, ec);
  if (ec) io_fail(path, "cannot read the file size: " + ec.message());
  info.data_offset = 8 + static_cast<std::uintmax_t>(width) + length;
  const std::uintmax_t available =
      file_size > info.data_offset ? file_size - info.data_offset : 0;
  const std::uintmax_t item = item_size(info.dtype);
  const auto numel = static_cast<std::uintmax_t>(info.shape.numel());
  const bool truncated = numel > available / item;
  if (truncated || numel * item != available) {
    const std::string needs = numel > UINTMAX_MAX / item
                                  ? "more than 2^64"
                                  : std::to_string(numel * item);
    io_fail(
        path,
        std::string(truncated ? "truncated: " : "data size mismatch: ") +
            "shape " + info.shape.to_string() + " needs " + needs +
            " bytes of data, the file has " + std::to_string(available));
  }
  return info;
}

void read_npy_data(
    const fs::path& path, const NpyInfo& info, std::span<std::byte> dst) {
  if (dst.size() != info.data_bytes()) {
    throw InvalidArgument(
        "read_npy_data: " +
        expected_got(
            "a buffer of " + std::to_string(info.data_bytes()) + " bytes",
            std::to_string(dst.size())));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) errno_fail(path, "cannot open");
  in.seekg(static_cast<std::streamoff>(info.data_offset));
  const auto bytes = static_cast<std::streamsize>(dst.size());
  in.read(reinterpret_cast<char*>(dst.data()), bytes);
  if (!in || in.gcount() < bytes) {
    io_fail(path, "read failed (file changed?)");
  }
}

Tensor read_npy(const fs::path& path) {
  constexpr NpyDtype kFloat[] = {NpyDtype::F32};
  const NpyInfo info = read_npy_info(path, kFloat);
  Tensor tensor = Tensor::empty(info.shape);
  read_npy_data(path, info, std::as_writable_bytes(tensor.span()));
  return tensor;
}

}  // namespace initforge
