// SPDX-License-Identifier: Apache-2.0
// CIFAR-10's binary batches: records in file order, channel-major pixels
// normalized per channel, and an error naming the file for each bad input.
#include "framework/train/cifar10.h"

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/testing/temp_dir.h"
#include "tests/train/data_files.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;

const Normalizer kNorm({0.5, 0.25, 0.75}, {0.5, 0.125, 2.0}, 3);

std::string load_error(const fs::path& dir, Split split = Split::Train) {
  try {
    load_cifar10(dir, split, kNorm);
  } catch (const IoError& e) {
    return e.what();
  }
  return "no IoError";
}

TEST(Cifar10, LoadsAllFiveTrainingBatchesInOrder) {
  const TempDir dir;
  testing::write_cifar_dir(dir.path(), 3, 4);
  const Dataset train = load_cifar10(dir.path(), Split::Train, kNorm);
  ASSERT_EQ(train.size(), 15);
  EXPECT_EQ(train.images().shape(), (Shape{15, 3, 32, 32}));
  for (std::int64_t i = 0; i < 15; ++i) {
    EXPECT_EQ(train.labels()[static_cast<std::size_t>(i)], i % 10);
  }
  // Record i's byte j is (5i + j) % 256 and lands in channel j / 1024.
  const float mean[] = {0.5f, 0.25f, 0.75f};
  const float sd[] = {0.5f, 0.125f, 2.0f};
  for (const std::int64_t i : {0, 4, 14}) {
    for (const std::int64_t j : {0, 1, 1023, 1024, 2047, 2048, 3071}) {
      const float byte = static_cast<float>((i * 5 + j) % 256);
      const std::size_t c = static_cast<std::size_t>(j / 1024);
      EXPECT_EQ(
          train.images().data()[i * 3072 + j],
          (byte / 255.0f - mean[c]) / sd[c])
          << "record " << i << " byte " << j;
    }
  }
  const Dataset test = load_cifar10(dir.path(), Split::Test, kNorm);
  EXPECT_EQ(test.size(), 4);
  EXPECT_EQ(test.labels(), (std::vector<std::int32_t>{0, 1, 2, 3}));
}

TEST(Cifar10, MissingFileIsNamedWithTheExpectedLayout) {
  const TempDir dir;
  testing::write_cifar_dir(dir.path(), 1, 1);
  fs::remove(dir / "data_batch_4.bin");
  const std::string e = load_error(dir.path());
  EXPECT_THAT(
      e,
      HasSubstr(
          (dir / "data_batch_4.bin").string() + ": CIFAR-10 file not found"));
  EXPECT_THAT(
      e,
      HasSubstr(
          "data_batch_1.bin .. data_batch_5.bin and "
          "test_batch.bin (cifar-10-batches-bin) in " +
          dir.path().string()));
  fs::remove(dir / "test_batch.bin");
  EXPECT_THAT(
      load_error(dir.path(), Split::Test),
      HasSubstr(
          (dir / "test_batch.bin").string() + ": CIFAR-10 file not found"));
}

TEST(Cifar10, SizeNotAMultipleOfARecordNamesFileAndSize) {
  const TempDir dir;
  testing::write_cifar_dir(dir.path(), 2, 1);
  std::string bytes = testing::cifar_records({1, 2});
  bytes.pop_back();  // 6145 bytes
  testing::write_bytes(dir / "data_batch_3.bin", bytes);
  EXPECT_THAT(
      load_error(dir.path()),
      HasSubstr(
          (dir / "data_batch_3.bin").string() +
          ": 6145 bytes; expected a non-zero multiple of 3073"));
  testing::write_bytes(dir / "data_batch_3.bin", "");
  EXPECT_THAT(
      load_error(dir.path()),
      HasSubstr(
          (dir / "data_batch_3.bin").string() +
          ": 0 bytes; expected a non-zero multiple of 3073"));
}

TEST(Cifar10, LabelAboveNineNamesFileRecordAndLabel) {
  const TempDir dir;
  testing::write_cifar_dir(dir.path(), 2, 3);
  testing::write_bytes(
      dir / "test_batch.bin", testing::cifar_records({9, 0, 10}));
  EXPECT_THAT(
      load_error(dir.path(), Split::Test),
      HasSubstr(
          (dir / "test_batch.bin").string() +
          ": record 2 (byte 6146) has label 10; expected 0..9"));
}

TEST(Cifar10, WrongNormalizerIsRefused) {
  const TempDir dir;
  testing::write_cifar_dir(dir.path(), 1, 1);
  EXPECT_THROW(
      load_cifar10(dir.path(), Split::Test, Normalizer({0.5}, {0.5}, 1)),
      InvalidArgument);
}

}  // namespace
}  // namespace initforge
