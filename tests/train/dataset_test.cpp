// SPDX-License-Identifier: Apache-2.0
#include "framework/train/dataset.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

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
using ::testing::Not;
using testing::TempDir;
using testing::write_gz;
using testing::write_split;

std::string load_error(
    const std::filesystem::path& dir, Split split = Split::Train) {
  try {
    load_fashion_mnist(dir, split);
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}

TEST(Dataset, LoadsSplitWithShapeLabelsAndNormalizedPixels) {
  TempDir dir;
  write_split(dir.path(), "t10k", 6, 6);
  const Normalization norm{0.5f, 0.25f};
  const Dataset data = load_fashion_mnist(dir.path(), Split::Test, norm);
  ASSERT_EQ(data.size(), 6);
  EXPECT_EQ(data.images().shape(), (Shape{6, 1, 28, 28}));
  EXPECT_EQ(data.sample_numel(), 784);
  EXPECT_EQ(data.labels(), (std::vector<std::int32_t>{0, 1, 2, 3, 4, 5}));
  // Pixel j of image i is byte (7i + j) % 256.
  for (std::int64_t i : {0, 3, 5}) {
    for (std::int64_t j : {0, 1, 100, 783}) {
      const float byte = static_cast<float>((i * 7 + j) % 256);
      EXPECT_FLOAT_EQ(
          data.images().data()[i * 784 + j], (byte / 255.0f - 0.5f) / 0.25f)
          << "image " << i << " pixel " << j;
    }
  }
}

TEST(Dataset, DefaultNormalizationMapsBlackAndWhite) {
  testing::TempDir dir;
  // Image 0's pixel 0 is byte 0; image 0's pixel 255 is byte 255.
  write_split(dir.path(), "train", 1, 1);
  const Dataset data = load_fashion_mnist(dir.path(), Split::Train);
  EXPECT_FLOAT_EQ(data.images().data()[0], -0.2860f / 0.3530f);
  EXPECT_FLOAT_EQ(data.images().data()[255], (1.0f - 0.2860f) / 0.3530f);
}

TEST(Dataset, MissingFileNamesPath) {
  TempDir dir;
  const std::string message = load_error(dir.path());
  EXPECT_THAT(
      message,
      AllOf(
          HasSubstr((dir / "train-images-idx3-ubyte.gz").string()),
          HasSubstr("not found")));
  EXPECT_THAT(message, Not(HasSubstr("apt-get")));
}

TEST(Dataset, MissingFileInDefaultDirSuggestsDebianPackage) {
  const std::filesystem::path dir(kDefaultFashionMnistDir);
  const auto file = dir / "t10k-images-idx3-ubyte.gz";
  EXPECT_THAT(
      missing_dataset_message(file, dir),
      AllOf(
          HasSubstr(file.string() + ": Fashion-MNIST file not found"),
          HasSubstr("install Debian's dataset-fashion-mnist (apt-get install "
                    "dataset-fashion-mnist)")));
  EXPECT_THAT(
      missing_dataset_message(file, dir.string() + "/"),
      HasSubstr("apt-get install dataset-fashion-mnist"));
  EXPECT_THAT(
      missing_dataset_message("/tmp/x/a.gz", "/tmp/x"),
      AllOf(HasSubstr("/tmp/x/a.gz"), Not(HasSubstr("apt-get"))));
}

TEST(Dataset, MissingLabelsFileNamesIt) {
  TempDir dir;
  write_split(dir.path(), "train", 2, 2);
  std::filesystem::remove(dir / "train-labels-idx1-ubyte.gz");
  EXPECT_THAT(
      load_error(dir.path()),
      HasSubstr((dir / "train-labels-idx1-ubyte.gz").string()));
}

TEST(Dataset, ImageLabelCountMismatchIsReported) {
  TempDir dir;
  write_split(dir.path(), "train", 4, 3);
  EXPECT_THAT(
      load_error(dir.path()),
      AllOf(
          HasSubstr((dir / "train-images-idx3-ubyte.gz").string()),
          HasSubstr("images and labels disagree: 4 images but 3 labels")));
}

TEST(Dataset, LabelOutOfRangeIsReported) {
  TempDir dir;
  write_split(dir.path(), "train", 2, 2);
  write_gz(dir / "train-labels-idx1-ubyte.gz", idx_bytes(0x801, {2}, {1, 12}));
  EXPECT_THAT(
      load_error(dir.path()),
      HasSubstr("label 12 at index 1 is out of range; expected 0..9"));
}

TEST(Dataset, CorruptFileErrorPropagates) {
  TempDir dir;
  write_split(dir.path(), "train", 2, 2);
  testing::write_raw(dir / "train-images-idx3-ubyte.gz", "\x1f\x8b garbage");
  EXPECT_THAT(
      load_error(dir.path()),
      HasSubstr((dir / "train-images-idx3-ubyte.gz").string()));
}

TEST(Dataset, HeadCopiesFirstSamples) {
  TempDir dir;
  write_split(dir.path(), "train", 5, 5, 2, 3);
  const Dataset data = load_fashion_mnist(dir.path());
  const Dataset head = data.head(2);
  EXPECT_EQ(head.images().shape(), (Shape{2, 1, 2, 3}));
  EXPECT_EQ(head.labels(), (std::vector<std::int32_t>{0, 1}));
  EXPECT_TRUE(std::equal(
      head.images().span().begin(),
      head.images().span().end(),
      data.images().span().begin()));
  EXPECT_EQ(data.head(99).size(), 5);
}

TEST(Dataset, ConstructorChecksShapes) {
  EXPECT_THROW(Dataset(Tensor::zeros(Shape{2}), {0, 1}), ShapeError);
  EXPECT_THROW(Dataset(Tensor::zeros(Shape{2, 1, 4, 4}), {0}), ShapeError);
}

TEST(Dataset, ParseSplit) {
  EXPECT_EQ(parse_split("train"), Split::Train);
  EXPECT_EQ(parse_split("test"), Split::Test);
  EXPECT_EQ(to_string(Split::Test), "test");
  try {
    parse_split("valid");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("expected one of: train, test"));
  }
}

TEST(Dataset, LoadsRealFashionMnistTestSplit) {
  const std::filesystem::path dir(kDefaultFashionMnistDir);
  if (!std::filesystem::exists(dir / "t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST not installed at " << dir
                 << " (apt-get install dataset-fashion-mnist)";
  }
  const Dataset data = load_fashion_mnist(dir, Split::Test);
  ASSERT_EQ(data.size(), 10000);
  EXPECT_EQ(data.images().shape(), (Shape{10000, 1, 28, 28}));
  std::set<std::int32_t> classes(data.labels().begin(), data.labels().end());
  EXPECT_EQ(classes, (std::set<std::int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // The test split's pixel mean/std (of x/255) are 0.286849 and 0.352444
  // (numpy on the same files); normalized with the training set's 0.2860
  // and 0.3530 they become 0.002406 and 0.998426. The data is fixed, so the
  // tolerance only covers float rounding of 7.8M pixels.
  double sum = 0;
  double sum_sq = 0;
  for (float v : data.images().span()) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const auto n = static_cast<double>(data.images().numel());
  const double mean = sum / n;
  EXPECT_NEAR(mean, 0.002406, 1e-5);
  EXPECT_NEAR(std::sqrt(sum_sq / n - mean * mean), 0.998426, 1e-5);
}

}  // namespace
}  // namespace initforge
