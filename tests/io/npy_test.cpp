// SPDX-License-Identifier: Apache-2.0
#include "framework/io/npy.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "framework/core/error.h"

#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

using initforge::testing::TempDir;

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A version 1.0 file as numpy lays it out, with any dict and payload.
std::string npy_file(std::string dict, std::size_t data_bytes) {
  dict += std::string((64 - (10 + dict.size() + 1) % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict + std::string(data_bytes, '\0');
}

Tensor iota(const Shape& shape) {
  Tensor t = Tensor::empty(shape);
  float v = -1.5f;
  for (float& x : t.span()) x = (v += 0.25f);
  return t;
}

std::string read_error(const fs::path& path) {
  try {
    read_npy(path);
  } catch (const IoError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected IoError reading " << path;
  return "";
}

TEST(Npy, RoundTripsValuesAndShapes) {
  const TempDir dir;
  for (const Shape& shape :
       {Shape{3, 4}, Shape{5}, Shape{2, 3, 4, 5}, Shape{0, 3}, Shape{}}) {
    const Tensor t = iota(shape);
    write_npy(dir / "t.npy", t.view());
    const Tensor back = read_npy(dir / "t.npy");
    EXPECT_EQ(back.shape(), shape) << shape.to_string();
    ASSERT_EQ(back.numel(), t.numel());
    if (t.numel() > 0) {
      EXPECT_EQ(std::memcmp(back.data(), t.data(), t.span().size_bytes()), 0);
    }
  }
}

TEST(Npy, HeaderIsVersion1LittleEndianFloat32COrderAligned) {
  const TempDir dir;
  write_npy(dir / "a.npy", iota(Shape{3, 4}).view());
  const std::string bytes = read_bytes(dir / "a.npy");
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t length = static_cast<unsigned char>(bytes[8]) |
                             static_cast<unsigned char>(bytes[9]) << 8;
  EXPECT_EQ((10 + length) % 64, 0u);
  EXPECT_EQ(bytes.size(), 10 + length + 12 * sizeof(float));
  const std::string dict = bytes.substr(10, length);
  EXPECT_THAT(
      dict,
      ::testing::StartsWith(
          "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"));
  EXPECT_EQ(dict.back(), '\n');

  write_npy(dir / "b.npy", iota(Shape{5}).view());
  EXPECT_THAT(read_bytes(dir / "b.npy"), HasSubstr("'shape': (5,), }"));
}

TEST(Npy, ReadsOtherKeyOrderAndVersion2Headers) {
  const TempDir dir;
  write_bytes(
      dir / "v1.npy",
      npy_file("{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}", 8));
  EXPECT_EQ(read_npy(dir / "v1.npy").shape(), Shape{2});

  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }";
  dict += std::string((64 - (12 + dict.size() + 1) % 64) % 64, ' ') + "\n";
  std::string v2 = std::string("\x93NUMPY\x02\x00", 8);
  v2 += static_cast<char>(dict.size());
  v2 += std::string(3, '\0');
  write_bytes(dir / "v2.npy", v2 + dict + std::string(8, '\0'));
  EXPECT_EQ(read_npy(dir / "v2.npy").shape(), (Shape{1, 2}));
}

TEST(Npy, ReadErrorsNameTheFileAndWhatWasFound) {
  const TempDir dir;
  const fs::path missing = dir / "missing.npy";
  EXPECT_EQ(read_error(missing), missing.string() + ": no such file");

  write_bytes(dir / "text.npy", "hello, not numpy");
  EXPECT_THAT(
      read_error(dir / "text.npy"), HasSubstr("text.npy: not a .npy file"));

  write_bytes(
      dir / "short.npy", std::string("\x93NUMPY\x01\x00\x40\x00{'de", 14));
  EXPECT_THAT(
      read_error(dir / "short.npy"), HasSubstr("truncated .npy header"));

  write_bytes(
      dir / "f8.npy",
      npy_file(
          "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16));
  EXPECT_THAT(
      read_error(dir / "f8.npy"),
      HasSubstr("f8.npy: dtype '<f8' is not supported; expected '<f4'"));

  write_bytes(
      dir / "fortran.npy",
      npy_file(
          "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16));
  EXPECT_THAT(
      read_error(dir / "fortran.npy"),
      HasSubstr("Fortran-order arrays are not supported"));

  write_bytes(
      dir / "bad.npy",
      npy_file(
          "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 16));
  EXPECT_THAT(
      read_error(dir / "bad.npy"),
      HasSubstr("bad.npy: bad .npy header: expected a non-negative dimension"));

  write_bytes(
      dir / "nokey.npy", npy_file("{'descr': '<f4', 'shape': (2,), }", 8));
  EXPECT_THAT(
      read_error(dir / "nokey.npy"),
      HasSubstr("missing one of 'descr', 'fortran_order', 'shape'"));
}

TEST(Npy, DataSizeMustMatchTheShape) {
  const TempDir dir;
  const std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
  write_bytes(dir / "trunc.npy", npy_file(dict, 20));
  EXPECT_THAT(
      read_error(dir / "trunc.npy"),
      HasSubstr(
          "truncated: shape [3, 4] needs 48 bytes of data, the file has 20"));
  write_bytes(dir / "long.npy", npy_file(dict, 52));
  EXPECT_THAT(
      read_error(dir / "long.npy"),
      HasSubstr("data size mismatch: shape [3, 4] needs 48 bytes"));
  // A corrupt header must fail on size, not try to allocate terabytes.
  write_bytes(
      dir / "huge.npy",
      npy_file(
          "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, "
          "1000000), }",
          16));
  EXPECT_THAT(read_error(dir / "huge.npy"), HasSubstr("truncated"));
}

TEST(Npy, InfoAndDataReadTheAcceptedIntegerAndByteDtypes) {
  const TempDir dir;
  constexpr NpyDtype kAll[] = {
      NpyDtype::U8, NpyDtype::I32, NpyDtype::I64, NpyDtype::F32};
  std::string bytes = npy_file(
      "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", 0);
  bytes += std::string("\x00\x01\x02\xfd\xfe\xff", 6);
  write_bytes(dir / "u8.npy", bytes);
  const NpyInfo u8 = read_npy_info(dir / "u8.npy", kAll);
  EXPECT_EQ(u8.dtype, NpyDtype::U8);
  EXPECT_EQ(u8.shape, (Shape{2, 3}));
  EXPECT_EQ(u8.data_bytes(), 6u);
  std::vector<std::byte> data(6);
  read_npy_data(dir / "u8.npy", u8, data);
  EXPECT_EQ(static_cast<int>(data[5]), 255);

  bytes =
      npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 0);
  const std::int64_t values[] = {-3, std::int64_t{1} << 40};
  bytes.append(reinterpret_cast<const char*>(values), sizeof values);
  write_bytes(dir / "i8.npy", bytes);
  const NpyInfo i8 = read_npy_info(dir / "i8.npy", kAll);
  EXPECT_EQ(i8.dtype, NpyDtype::I64);
  std::int64_t back[2];
  read_npy_data(dir / "i8.npy", i8, std::as_writable_bytes(std::span(back)));
  EXPECT_EQ(back[0], -3);
  EXPECT_EQ(back[1], std::int64_t{1} << 40);
  EXPECT_THROW(read_npy_data(dir / "i8.npy", i8, data), InvalidArgument);

  // '<i4' with the size of int64 data: the item size decides the length.
  write_bytes(
      dir / "i4.npy",
      npy_file(
          "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 16));
  EXPECT_THAT(
      [&] {
        try {
          read_npy_info(dir / "i4.npy", kAll);
        } catch (const IoError& e) {
          return std::string(e.what());
        }
        return std::string();
      }(),
      HasSubstr("data size mismatch: shape [2] needs 8 bytes"));
}

TEST(Npy, InfoNamesTheAcceptedDtypes) {
  const TempDir dir;
  write_bytes(
      dir / "f8.npy",
      npy_file(
          "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16));
  constexpr NpyDtype kLabels[] = {NpyDtype::I64, NpyDtype::I32, NpyDtype::U8};
  try {
    read_npy_info(dir / "f8.npy", kLabels);
    FAIL() << "'<f8' accepted";
  } catch (const IoError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr("f8.npy: dtype '<f8' is not supported; expected '<i8' "
                  "(int64), '<i4' (int32) or '|u1' (uint8)"));
  }
  // A big-endian int is not the little-endian one.
  write_bytes(
      dir / "be.npy",
      npy_file(
          "{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }", 16));
  EXPECT_THROW(read_npy_info(dir / "be.npy", kLabels), IoError);
}

TEST(Npy, WriteReplacesAtomicallyAndLeavesNoTemporaries) {
  const TempDir dir;
  write_npy(dir / "w.npy", iota(Shape{100}).view());
  write_npy(dir / "w.npy", iota(Shape{2, 2}).view());
  EXPECT_EQ(read_npy(dir / "w.npy").shape(), (Shape{2, 2}));
  EXPECT_EQ(dir.files(), std::vector<std::string>{"w.npy"});
}

TEST(Npy, WriteErrorsNameThePathAndReasonAndCleanUp) {
  const TempDir dir;
  const fs::path no_dir = dir / "absent" / "x.npy";
  try {
    write_npy(no_dir, iota(Shape{2}).view());
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr(no_dir.string()));
    EXPECT_THAT(e.what(), HasSubstr("No such file or directory"));
  }
  // Renaming over a directory fails after the data was written: the
  // temporary file must not be left behind.
  fs::create_directory(dir / "taken.npy");
  try {
    write_npy(dir / "taken.npy", iota(Shape{2}).view());
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("taken.npy: cannot rename"));
  }
  EXPECT_EQ(dir.files(), std::vector<std::string>{"taken.npy"});
}

}  // namespace
}  // namespace initforge
