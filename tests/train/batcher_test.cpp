// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <numeric>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/train/dataset.h"

namespace initforge {
namespace {

using ::testing::HasSubstr;

// n samples of 2x2 pixels; sample i's pixels are all i and its label is i.
Dataset numbered(std::int64_t n) {
  Tensor images = Tensor::empty(Shape{n, 1, 2, 2});
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    std::fill_n(images.data() + i * 4, 4, static_cast<float>(i));
    labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(i);
  }
  return {std::move(images), std::move(labels)};
}

// Sample ids of every batch of `epoch`, checking images match labels.
std::vector<std::vector<std::int32_t>> epoch_batches(
    Batcher& batcher, std::int64_t batch_size, std::int64_t epoch) {
  batcher.start_epoch(epoch);
  Tensor images = Tensor::empty(Shape{batch_size, 1, 2, 2});
  std::vector<std::int32_t> labels(static_cast<std::size_t>(batch_size));
  std::vector<std::vector<std::int32_t>> out;
  while (const std::int64_t n = batcher.next(images.view(), labels)) {
    for (std::int64_t i = 0; i < n; ++i) {
      for (int p = 0; p < 4; ++p) {
        EXPECT_EQ(images.data()[i * 4 + p], static_cast<float>(labels[i]));
      }
    }
    out.emplace_back(labels.begin(), labels.begin() + n);
  }
  return out;
}

std::vector<std::int32_t> flatten(
    const std::vector<std::vector<std::int32_t>>& batches) {
  std::vector<std::int32_t> all;
  for (const auto& b : batches) {
    all.insert(all.end(), b.begin(), b.end());
  }
  return all;
}

TEST(Batcher, EverySampleExactlyOncePerEpoch) {
  const Dataset data = numbered(103);
  Batcher batcher(data, {.batch_size = 10, .seed = 7});
  for (std::int64_t epoch : {0, 1, 5}) {
    auto all = flatten(epoch_batches(batcher, 10, epoch));
    std::sort(all.begin(), all.end());
    std::vector<std::int32_t> expected(103);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(all, expected) << "epoch " << epoch;
  }
}

TEST(Batcher, LastPartialBatchIsKeptByDefault) {
  const Dataset data = numbered(23);
  Batcher batcher(data, {.batch_size = 10, .seed = 1});
  EXPECT_EQ(batcher.batches_per_epoch(), 3);
  const auto batches = epoch_batches(batcher, 10, 0);
  ASSERT_EQ(batches.size(), 3U);
  EXPECT_EQ(batches[2].size(), 3U);
}

TEST(Batcher, DropLastSkipsPartialBatch) {
  const Dataset data = numbered(23);
  Batcher batcher(data, {.batch_size = 10, .drop_last = true, .seed = 1});
  EXPECT_EQ(batcher.batches_per_epoch(), 2);
  const auto batches = epoch_batches(batcher, 10, 0);
  ASSERT_EQ(batches.size(), 2U);
  EXPECT_EQ(batches[1].size(), 10U);
}

TEST(Batcher, ShuffleIsDeterministicPerSeedAndEpoch) {
  const Dataset data = numbered(200);
  Batcher a(data, {.batch_size = 32, .seed = 42});
  Batcher b(data, {.batch_size = 32, .seed = 42});
  // b visits epochs out of order: epoch 3's order depends only on (seed, 3).
  const auto b3 = flatten(epoch_batches(b, 32, 3));
  const auto b1 = flatten(epoch_batches(b, 32, 1));
  EXPECT_EQ(flatten(epoch_batches(a, 32, 1)), b1);
  EXPECT_EQ(flatten(epoch_batches(a, 32, 3)), b3);
}

TEST(Batcher, OrderDiffersAcrossEpochsAndSeeds) {
  const Dataset data = numbered(200);
  Batcher a(data, {.batch_size = 32, .seed = 42});
  Batcher c(data, {.batch_size = 32, .seed = 43});
  const auto e0 = flatten(epoch_batches(a, 32, 0));
  const auto e1 = flatten(epoch_batches(a, 32, 1));
  std::vector<std::int32_t> identity(200);
  std::iota(identity.begin(), identity.end(), 0);
  // Two equal uniform permutations of 200 have probability 1/200!.
  EXPECT_NE(e0, e1);
  EXPECT_NE(e0, identity);
  EXPECT_NE(e0, flatten(epoch_batches(c, 32, 0)));
}

TEST(Batcher, NoShuffleKeepsDatasetOrder) {
  const Dataset data = numbered(25);
  Batcher batcher(data, {.batch_size = 8, .shuffle = false});
  std::vector<std::int32_t> identity(25);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(flatten(epoch_batches(batcher, 8, 4)), identity);
}

TEST(Batcher, CopyBatchMatchesNextForResume) {
  const Dataset data = numbered(50);
  Batcher batcher(data, {.batch_size = 16, .seed = 3});
  const auto batches = epoch_batches(batcher, 16, 2);
  batcher.start_epoch(2);
  Tensor images = Tensor::empty(Shape{16, 1, 2, 2});
  std::vector<std::int32_t> labels(16);
  const std::int64_t n = batcher.copy_batch(3, images.view(), labels);
  ASSERT_EQ(n, 2);
  EXPECT_EQ(
      std::vector<std::int32_t>(labels.begin(), labels.begin() + n),
      batches[3]);
}

TEST(Batcher, LargeBatchesCopyInParallelCorrectly) {
  const Dataset data = numbered(20000);
  Batcher batcher(data, {.batch_size = 8192, .seed = 9});
  auto all = flatten(epoch_batches(batcher, 8192, 0));
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all.size(), 20000U);
  EXPECT_TRUE(std::adjacent_find(all.begin(), all.end()) == all.end());
}

TEST(Batcher, RejectsBadArguments) {
  const Dataset data = numbered(10);
  try {
    Batcher bad(data, {.batch_size = 0});
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("batch_size: expected >= 1; got 0"));
  }
  Batcher batcher(data, {.batch_size = 4});
  Tensor wrong = Tensor::empty(Shape{3, 1, 2, 2});
  Tensor right = Tensor::empty(Shape{4, 1, 2, 2});
  std::vector<std::int32_t> labels(4);
  try {
    batcher.copy_batch(0, wrong.view(), labels);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_THAT(
        e.what(), HasSubstr("expected shape [4, 1, 2, 2]; got [3, 1, 2, 2]"));
  }
  std::vector<std::int32_t> short_labels(3);
  EXPECT_THROW(batcher.copy_batch(0, right.view(), short_labels), ShapeError);
  try {
    batcher.copy_batch(3, right.view(), labels);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("batch index: expected 0..2; got 3"));
  }
}

}  // namespace
}  // namespace initforge
