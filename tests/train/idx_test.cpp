// SPDX-License-Identifier: Apache-2.0
#include "framework/io/idx.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/testing/temp_dir.h"
#include "tests/train/idx_files.h"

namespace initforge {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::idx_bytes;
using testing::read_raw;
using testing::TempDir;
using testing::test_pixels;
using testing::write_gz;
using testing::write_raw;

// The IoError message read_idx_images throws for `path` ("" if none).
template <class Read>
std::string error_of(Read read) {
  try {
    read();
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}

TEST(IdxReader, ImagesRoundTripThroughGzip) {
  TempDir dir;
  const auto px = test_pixels(5, 3, 4);
  write_gz(dir / "img.gz", idx_bytes(0x803, {5, 3, 4}, px));
  const IdxImages images = read_idx_images(dir / "img.gz");
  EXPECT_EQ(images.count, 5);
  EXPECT_EQ(images.rows, 3);
  EXPECT_EQ(images.cols, 4);
  EXPECT_EQ(images.pixels, px);
}

TEST(IdxReader, LabelsRoundTripThroughGzip) {
  TempDir dir;
  const std::vector<std::uint8_t> labels{3, 1, 4, 1, 5, 9, 2, 6};
  write_gz(dir / "lab.gz", idx_bytes(0x801, {8}, labels));
  EXPECT_EQ(read_idx_labels(dir / "lab.gz"), labels);
}

TEST(IdxReader, ReadsUncompressedFiles) {
  TempDir dir;
  const std::vector<std::uint8_t> labels{7, 0, 2};
  write_raw(dir / "lab", idx_bytes(0x801, {3}, labels));
  EXPECT_EQ(read_idx_labels(dir / "lab"), labels);
}

TEST(IdxReader, ReadsEmptyFile) {
  TempDir dir;
  write_gz(dir / "img.gz", idx_bytes(0x803, {0, 28, 28}, {}));
  EXPECT_EQ(read_idx_images(dir / "img.gz").count, 0);
}

TEST(IdxReader, MissingFileNamesPath) {
  TempDir dir;
  const auto path = dir / "nope.gz";
  EXPECT_THAT(
      error_of([&] { read_idx_images(path); }),
      AllOf(HasSubstr(path.string()), HasSubstr("file not found")));
}

TEST(IdxReader, TruncatedDataNamesExpectedAndGotBytes) {
  TempDir dir;
  auto px = test_pixels(2, 2, 2);
  px.pop_back();
  write_gz(dir / "img.gz", idx_bytes(0x803, {2, 2, 2}, px));
  EXPECT_THAT(
      error_of([&] { read_idx_images(dir / "img.gz"); }),
      AllOf(
          HasSubstr((dir / "img.gz").string()),
          HasSubstr(
              "truncated: expected 8 data bytes after the header; got 7")));
}

TEST(IdxReader, TruncatedHeaderIsReported) {
  TempDir dir;
  write_gz(dir / "img.gz", idx_bytes(0x803, {2, 2}, {}));
  EXPECT_THAT(
      error_of([&] { read_idx_images(dir / "img.gz"); }),
      HasSubstr("truncated: file ends inside the header (cols)"));
}

TEST(IdxReader, CutGzipStreamIsTruncated) {
  TempDir dir;
  write_gz(
      dir / "full.gz", idx_bytes(0x803, {50, 28, 28}, test_pixels(50, 28, 28)));
  const std::string bytes = read_raw(dir / "full.gz");
  write_raw(dir / "cut.gz", bytes.substr(0, bytes.size() / 2));
  EXPECT_THAT(
      error_of([&] { read_idx_images(dir / "cut.gz"); }),
      AllOf(
          HasSubstr((dir / "cut.gz").string()),
          HasSubstr("truncated gzip stream")));
}

TEST(IdxReader, CorruptGzipDataIsReported) {
  TempDir dir;
  write_gz(
      dir / "full.gz", idx_bytes(0x803, {50, 28, 28}, test_pixels(50, 28, 28)));
  std::string bytes = read_raw(dir / "full.gz");
  // Past the 10-byte gzip header: garbage in the deflate stream.
  for (std::size_t i = 12; i < 40; ++i) {
    bytes[i] = static_cast<char>(0xFF);
  }
  write_raw(dir / "bad.gz", bytes);
  EXPECT_THAT(
      error_of([&] { read_idx_images(dir / "bad.gz"); }),
      AllOf(
          HasSubstr((dir / "bad.gz").string()),
          HasSubstr("corrupt gzip data")));
}

TEST(IdxReader, BadChecksumIsCorrupt) {
  TempDir dir;
  write_gz(dir / "full.gz", idx_bytes(0x801, {3}, {1, 2, 3}));
  std::string bytes = read_raw(dir / "full.gz");
  bytes[bytes.size() - 8] ^= 0x55;  // first byte of the CRC-32 trailer
  write_raw(dir / "bad.gz", bytes);
  EXPECT_THAT(
      error_of([&] { read_idx_labels(dir / "bad.gz"); }),
      HasSubstr("corrupt gzip data"));
}

TEST(IdxReader, WrongMagicNamesExpectedAndGot) {
  TempDir dir;
  write_gz(dir / "lab.gz", idx_bytes(0x801, {1}, {0}));
  EXPECT_THAT(
      error_of([&] { read_idx_images(dir / "lab.gz"); }),
      AllOf(
          HasSubstr((dir / "lab.gz").string()),
          HasSubstr("not an IDX images file: expected magic 0x00000803; got "
                    "0x00000801")));
  write_gz(dir / "img.gz", idx_bytes(0x803, {0, 1, 1}, {}));
  EXPECT_THAT(
      error_of([&] { read_idx_labels(dir / "img.gz"); }),
      HasSubstr("expected magic 0x00000801; got 0x00000803"));
}

TEST(IdxReader, TrailingBytesAreRejected) {
  TempDir dir;
  write_gz(dir / "lab.gz", idx_bytes(0x801, {2}, {1, 2, 3}));
  EXPECT_THAT(
      error_of([&] { read_idx_labels(dir / "lab.gz"); }),
      HasSubstr("unexpected data after the 2 data bytes"));
}

TEST(IdxReader, ZeroSizedImagesAreRejected) {
  TempDir dir;
  write_gz(dir / "img.gz", idx_bytes(0x803, {1, 0, 28}, {}));
  EXPECT_THAT(
      error_of([&] { read_idx_images(dir / "img.gz"); }),
      HasSubstr("expected images of at least 1x1 pixels; got 0x28"));
}

TEST(IdxReader, HugeClaimedCountFailsAsTruncatedWithoutAllocatingIt) {
  TempDir dir;
  write_gz(dir / "img.gz", idx_bytes(0x803, {4000000, 255, 255}, {1, 2, 3}));
  EXPECT_THAT(
      error_of([&] { read_idx_images(dir / "img.gz"); }),
      HasSubstr("truncated: expected 260100000000 data bytes"));
}

}  // namespace
}  // namespace initforge
