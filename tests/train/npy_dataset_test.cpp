// SPDX-License-Identifier: Apache-2.0
// A dataset split from two .npy files: uint8 images and float32 feature
// vectors, every label dtype, and an error naming the file (and what was
// expected and found) for each bad input.
#include "framework/train/npy_dataset.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

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
using testing::write_npy_file;

DatasetConfig npy_config(std::vector<double> mean, std::vector<double> std) {
  DatasetConfig d;
  d.name = "npy";
  d.kind = DatasetKind::Npy;
  d.mean = std::move(mean);
  d.std = std::move(std);
  d.normalize_pointer = "/train/dataset/normalize";
  return d;
}

class NpyDataset : public ::testing::Test {
 protected:
  // 4 uint8 images [2, 2, 3] (byte j of image i: 10 i + j) and labels
  // 3, 0, 2, 1 as int64.
  void SetUp() override {
    std::vector<std::uint8_t> px(4 * 12);
    for (std::size_t i = 0; i < px.size(); ++i) {
      px[i] = static_cast<std::uint8_t>((i / 12) * 10 + i % 12);
    }
    files_.x = write_npy_file(dir_ / "x.npy", "|u1", {4, 2, 2, 3}, px);
    files_.y = write_npy_file(
        dir_ / "y.npy", "<i8", {4}, std::vector<std::int64_t>{3, 0, 2, 1});
  }
  std::string io_error(
      const DatasetConfig& d, std::optional<std::int64_t> classes = 4) {
    try {
      load_npy_split(files_, d, classes, "c.json");
    } catch (const IoError& e) {
      return e.what();
    }
    return "no IoError";
  }
  TempDir dir_;
  NpySplitFiles files_;
  DatasetConfig plain_ = npy_config({}, {});
};

TEST_F(NpyDataset, Uint8ImagesAreScaledAndNormalizedPerChannel) {
  const Dataset data =
      load_npy_split(files_, npy_config({0.5, 0.25}, {0.5, 2.0}), 4, "c.json");
  ASSERT_EQ(data.images().shape(), (Shape{4, 2, 2, 3}));
  EXPECT_EQ(data.sample_shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(data.labels(), (std::vector<std::int32_t>{3, 0, 2, 1}));
  for (std::int64_t i = 0; i < 4; ++i) {
    for (std::int64_t j = 0; j < 12; ++j) {
      const float byte = static_cast<float>(i * 10 + j);
      const float expected = j < 6 ? (byte / 255.0f - 0.5f) / 0.5f
                                   : (byte / 255.0f - 0.25f) / 2.0f;
      EXPECT_EQ(data.images().data()[i * 12 + j], expected) << i << "," << j;
    }
  }
}

TEST_F(NpyDataset, Float32FeatureVectorsKeepTheirBitsWithoutStatistics) {
  const std::vector<float> x{0.5f, -1.25f, 3.0f, 1e-30f, 7.0f, -0.0f};
  files_.x = write_npy_file(dir_ / "f.npy", "<f4", {2, 3}, x);
  files_.y = write_npy_file(
      dir_ / "l.npy", "<i4", {2}, std::vector<std::int32_t>{1, 0});
  const Dataset data = load_npy_split(files_, plain_, 2, "c.json");
  EXPECT_EQ(data.sample_shape(), Shape{3});
  EXPECT_EQ(
      std::vector<float>(
          data.images().span().begin(), data.images().span().end()),
      x);
  EXPECT_EQ(data.labels(), (std::vector<std::int32_t>{1, 0}));
  // With statistics, each feature is a channel; one value serves all.
  const Dataset scaled =
      load_npy_split(files_, npy_config({1.0}, {0.5}), 2, "c.json");
  EXPECT_EQ(scaled.images().data()[1], (-1.25f - 1.0f) / 0.5f);
  const Dataset per_feature = load_npy_split(
      files_, npy_config({0.0, 1.0, 2.0}, {1.0, 1.0, 0.5}), 2, "c.json");
  EXPECT_EQ(per_feature.images().data()[5], (-0.0f - 2.0f) / 0.5f);
}

TEST_F(NpyDataset, Uint8LabelsAndNoUpperBound) {
  files_.y = write_npy_file(
      dir_ / "u8.npy", "|u1", {4}, std::vector<std::uint8_t>{200, 0, 1, 2});
  const Dataset data = load_npy_split(files_, plain_, std::nullopt, "c.json");
  EXPECT_EQ(data.labels()[0], 200);
}

TEST_F(NpyDataset, WrongDtypesNameTheFileAndTheAcceptedOnes) {
  files_.x = write_npy_file(
      dir_ / "x8.npy", "<f8", {4, 2}, std::vector<double>(8, 0.0));
  EXPECT_THAT(
      io_error(plain_),
      HasSubstr(
          files_.x.string() + ": dtype '<f8' is not supported; expected "
                              "'|u1' (uint8) or '<f4' (float32)"));
  SetUp();
  files_.y =
      write_npy_file(dir_ / "yf.npy", "<f4", {4}, std::vector<float>(4, 0.0f));
  EXPECT_THAT(
      io_error(plain_),
      HasSubstr(
          files_.y.string() +
          ": dtype '<f4' is not supported; expected '<i8' (int64), "
          "'<i4' (int32) or '|u1' (uint8)"));
}

TEST_F(NpyDataset, WrongRanksNameTheFileAndTheShape) {
  files_.x = write_npy_file(
      dir_ / "x3.npy", "|u1", {4, 2, 2}, std::vector<std::uint8_t>(16));
  EXPECT_THAT(
      io_error(plain_),
      HasSubstr(
          files_.x.string() +
          ": expected samples of shape (N, C, H, W) or (N, D); got [4, "
          "2, 2] (save single-channel images as (N, 1, H, W))"));
  SetUp();
  files_.y = write_npy_file(
      dir_ / "y2.npy", "<i8", {4, 1}, std::vector<std::int64_t>(4));
  EXPECT_THAT(
      io_error(plain_),
      HasSubstr(
          files_.y.string() + ": expected labels of shape (N,); got [4, 1]"));
}

TEST_F(NpyDataset, SampleAndLabelCountsMustAgree) {
  files_.y =
      write_npy_file(dir_ / "y5.npy", "<i8", {5}, std::vector<std::int64_t>(5));
  EXPECT_THAT(
      io_error(plain_),
      HasSubstr(
          files_.y.string() + ": holds 5 labels but " + files_.x.string() +
          " holds 4 samples; expected one label per sample"));
}

TEST_F(NpyDataset, LabelsOutOfRangeNameFileIndexAndRange) {
  files_.y = write_npy_file(
      dir_ / "neg.npy", "<i8", {4}, std::vector<std::int64_t>{0, 1, -1, 2});
  EXPECT_THAT(
      io_error(plain_),
      HasSubstr(
          files_.y.string() +
          ": label -1 at index 2 is negative; expected 0..3 (the "
          "model's output has 4 classes)"));
  files_.y = write_npy_file(
      dir_ / "big.npy", "<i4", {4}, std::vector<std::int32_t>{0, 4, 1, 2});
  EXPECT_THAT(
      io_error(plain_),
      HasSubstr(
          files_.y.string() +
          ": label 4 at index 1 is out of range; expected 0..3 (the "
          "model's output has 4 classes)"));
  // Without a model bound, labels must still fit int32.
  files_.y = write_npy_file(
      dir_ / "huge.npy",
      "<i8",
      {4},
      std::vector<std::int64_t>{0, 1, 2, std::int64_t{1} << 40});
  EXPECT_THAT(
      io_error(plain_, std::nullopt),
      HasSubstr("label 1099511627776 at index 3 is out of range; expected "
                "0..2147483647"));
}

TEST_F(NpyDataset, NonFiniteFloatsAreNamed) {
  files_.x = write_npy_file(
      dir_ / "nan.npy",
      "<f4",
      {4, 2},
      std::vector<float>{
          0, 1, 2, 3, 4, std::numeric_limits<float>::infinity(), 6, 7});
  EXPECT_THAT(
      io_error(plain_),
      HasSubstr(files_.x.string() + ": value inf of sample 2 is not finite"));
}

TEST_F(NpyDataset, EmptyOrMissingFilesAreNamed) {
  files_.x = write_npy_file(
      dir_ / "empty.npy", "|u1", {0, 3}, std::vector<std::uint8_t>{});
  EXPECT_THAT(
      io_error(plain_),
      HasSubstr(files_.x.string() + ": holds no samples (N = 0)"));
  files_.x = dir_ / "absent.npy";
  EXPECT_THAT(io_error(plain_), HasSubstr("absent.npy: no such file"));
}

TEST_F(NpyDataset, StatisticsThatDoNotFitTheChannelsAreAConfigError) {
  try {
    load_npy_split(files_, npy_config({0.1, 0.2, 0.3}, {1.0}), 4, "c.json");
    FAIL() << "3 means for 2 channels accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.pointer(), "/train/dataset/normalize/mean");
    EXPECT_THAT(
        e.what(),
        HasSubstr(
            "expected 1 or 2 values (one per channel of " + files_.x.string() +
            "'s [4, 2, 2, 3] samples); got 3"));
  }
}

}  // namespace
}  // namespace initforge
