// SPDX-License-Identifier: Apache-2.0
// Per-channel normalization: torchvision's ToTensor + Normalize values, one
// value for all channels, the identity keeping float bits, Fashion-MNIST's
// values unchanged, and counts that do not fit the channels.
#include "framework/train/normalizer.h"

#include <cstdint>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/train/dataset.h"

namespace initforge {
namespace {

using ::testing::HasSubstr;

TEST(Normalizer, BytesAreScaledThenNormalizedPerChannel) {
  const Normalizer norm({0.1, 0.2}, {0.5, 4.0}, 2);
  const std::uint8_t src[] = {0, 255, 51, 7, 128, 255};  // 2 channels x 3
  float dst[6];
  norm.bytes(src, 3, dst);
  const float mean[] = {0.1f, 0.2f};
  const float sd[] = {0.5f, 4.0f};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(
        dst[i], (static_cast<float>(src[i]) / 255.0f - mean[i / 3]) / sd[i / 3])
        << i;
  }
  EXPECT_EQ(norm.zero(0), (0.0f - 0.1f) / 0.5f);
  EXPECT_EQ(norm.zero(1), (0.0f - 0.2f) / 4.0f);
}

TEST(Normalizer, OneValueServesEveryChannel) {
  const Normalizer norm({0.5}, {0.25}, 3);
  float x[] = {1.0f, 2.0f, 3.0f};
  norm.floats(x, 1);
  EXPECT_EQ(x[0], 2.0f);
  EXPECT_EQ(x[1], 6.0f);
  EXPECT_EQ(x[2], 10.0f);
}

TEST(Normalizer, IdentityKeepsFloatBitsAndScalesBytes) {
  const Normalizer norm({}, {}, 2);
  float x[] = {-0.0f, 1e-45f, 3.25f, -7.0f};
  const std::vector<float> before(x, x + 4);
  norm.floats(x, 2);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(std::signbit(x[i]), std::signbit(before[i]));
    EXPECT_EQ(x[i], before[i]);
  }
  const std::uint8_t b[] = {0, 255};
  float out[2];
  norm.bytes(b, 1, out);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_EQ(norm.zero(1), 0.0f);
}

TEST(Normalizer, OneChannelGivesFashionMnistsValues) {
  // make_dataset's table: the default statistics as floats.
  const Normalizer norm({0.2860}, {0.3530}, 1);
  const Normalization fm;
  for (int b = 0; b < 256; ++b) {
    const auto byte = static_cast<std::uint8_t>(b);
    float v = 0.0f;
    norm.bytes(&byte, 1, &v);
    EXPECT_EQ(v, (static_cast<float>(b) / 255.0f - fm.mean) / fm.std) << b;
  }
}

TEST(Normalizer, RefusesCountsAndStdThatDoNotFit) {
  EXPECT_THROW(Normalizer({0.1, 0.2}, {1.0}, 3), InvalidArgument);
  EXPECT_THROW(Normalizer({0.1}, {0.0}, 1), InvalidArgument);
  EXPECT_THROW(Normalizer({}, {}, 0), InvalidArgument);
  DatasetConfig d;
  d.mean = {0.1, 0.2};
  d.std = {1.0};
  d.normalize_pointer = "/train/dataset/normalize";
  try {
    make_normalizer(d, 3, "c.json", "x.npy's [5, 3, 4, 4] samples");
    FAIL() << "accepted 2 means for 3 channels";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.pointer(), "/train/dataset/normalize/mean");
    EXPECT_THAT(
        e.what(),
        HasSubstr("expected 1 or 3 values (one per channel of x.npy's [5, 3, "
                  "4, 4] samples); got 2"));
  }
}

}  // namespace
}  // namespace initforge
