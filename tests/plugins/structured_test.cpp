// SPDX-License-Identifier: Apache-2.0
// constant, ones, zeros, eye, dirac: exact values (no randomness involved).

#include <algorithm>
#include <numeric>

#include <gtest/gtest.h>

#include "tests/plugins/plugin_test_util.h"

namespace initforge::testing {
namespace {

bool all_equal(const std::vector<float>& x, float value) {
  return std::ranges::all_of(x, [&](float v) { return v == value; });
}

TEST(ConstantSchemes, FillExactValues) {
  const ParamSpec p{Shape{3, 4, 5}};
  EXPECT_TRUE(all_equal(fill("constant", {{"val", 0.3}}, p), 0.3F));
  EXPECT_TRUE(all_equal(fill("constant", {{"val", std::int64_t{-7}}}, p), -7));
  EXPECT_TRUE(all_equal(fill("ones", {}, p), 1.0F));
  EXPECT_TRUE(all_equal(fill("zeros", {}, p), 0.0F));
  // A 1-D bias and a 0-D scalar are fine: no fans are involved.
  EXPECT_TRUE(all_equal(fill("ones", {}, {Shape{7}}), 1.0F));
  EXPECT_TRUE(all_equal(fill("constant", {{"val", 2.5}}, {Shape{}}), 2.5F));
}

TEST(ConstantSchemes, DeclareConstantTargets) {
  const ParamInfo p = param_of(Shape{2, 2});
  EXPECT_EQ(
      make("constant", {{"val", 0.5}})->target(p).kind, Target::Kind::Constant);
  EXPECT_DOUBLE_EQ(make("constant", {{"val", 0.5}})->target(p).mean, 0.5);
  EXPECT_DOUBLE_EQ(make("ones")->target(p).mean, 1.0);
  EXPECT_DOUBLE_EQ(make("zeros")->target(p).mean, 0.0);
}

TEST(EyeScheme, IsOneExactlyOnTheDiagonal) {
  for (const Shape& shape :
       {Shape{4, 4}, Shape{3, 5}, Shape{6, 2}, Shape{1, 1}}) {
    SCOPED_TRACE(shape.to_string());
    const std::vector<float> x = fill("eye", {}, {shape});
    for (std::int64_t i = 0; i < shape[0]; ++i) {
      for (std::int64_t j = 0; j < shape[1]; ++j) {
        EXPECT_EQ(
            x[static_cast<std::size_t>(i * shape[1] + j)], i == j ? 1 : 0);
      }
    }
  }
  EXPECT_EQ(
      make("eye")->target(param_of(Shape{2, 2})).kind, Target::Kind::Unknown);
}

TEST(DiracScheme, NonzeroCountAndSumAreMinOfOutPerGroupAndIn) {
  // TestNNInit.test_dirac_properties, with fixed sides (in both above and
  // below out/groups).
  for (const std::size_t rank : {3U, 4U, 5U}) {
    for (const std::int64_t groups : {1, 2, 3}) {
      for (const std::int64_t in : {2, 5}) {
        std::vector<std::int64_t> dims = {3 * groups, in, 3, 4, 5};
        dims.resize(rank);
        const Shape shape(dims);
        SCOPED_TRACE(
            ::testing::Message() << shape.to_string() << " groups " << groups);
        const std::vector<float> x =
            fill("dirac", {{"groups", groups}}, {shape});
        const auto nonzero =
            std::ranges::count_if(x, [](float v) { return v != 0; });
        const double sum = std::accumulate(x.begin(), x.end(), 0.0);
        const std::int64_t want = std::min<std::int64_t>(3, in) * groups;
        EXPECT_EQ(nonzero, want);
        EXPECT_EQ(sum, static_cast<double>(want));
      }
    }
  }
}

// Valid (no padding) 2-D convolution, groups = 1: src (N, C, H, W),
// weights (O, C, K, K), dst (N, O, H-K+1, W-K+1).
std::vector<float> conv2d(
    const std::vector<float>& src,
    const std::vector<float>& w,
    std::int64_t n,
    std::int64_t c,
    std::int64_t size,
    std::int64_t o,
    std::int64_t k) {
  const std::int64_t out_size = size - k + 1;
  std::vector<float> dst(static_cast<std::size_t>(n * o * out_size * out_size));
  for (std::int64_t b = 0; b < n; ++b)
    for (std::int64_t oc = 0; oc < o; ++oc)
      for (std::int64_t y = 0; y < out_size; ++y)
        for (std::int64_t x = 0; x < out_size; ++x) {
          double acc = 0;
          for (std::int64_t ic = 0; ic < c; ++ic)
            for (std::int64_t ky = 0; ky < k; ++ky)
              for (std::int64_t kx = 0; kx < k; ++kx)
                acc += src[static_cast<std::size_t>(
                           ((b * c + ic) * size + y + ky) * size + x + kx)] *
                       w[static_cast<std::size_t>(
                           ((oc * c + ic) * k + ky) * k + kx)];
          dst[static_cast<std::size_t>(
              ((b * o + oc) * out_size + y) * out_size + x)] =
              static_cast<float>(acc);
        }
  return dst;
}

TEST(DiracScheme, ConvolutionWithItIsTheCroppedIdentityPerGroup) {
  // TestNNInit.test_dirac_identity (2-D): batch 8, in 3, out 9, size 5, k 3.
  constexpr std::int64_t kBatch = 8, kIn = 3, kOut = 9, kSize = 5, kK = 3;
  const std::vector<float> src = fill(
      "normal", {}, {Shape{kBatch, kIn, kSize, kSize}, std::nullopt, "input"});
  for (const std::int64_t groups : {1, 3}) {
    SCOPED_TRACE(::testing::Message() << "groups " << groups);
    const std::vector<float> w =
        fill("dirac", {{"groups", groups}}, {Shape{kOut, kIn, kK, kK}});
    const std::vector<float> dst = conv2d(src, w, kBatch, kIn, kSize, kOut, kK);
    const std::int64_t per_group = kOut / groups, out_size = kSize - kK + 1;
    for (std::int64_t b = 0; b < kBatch; ++b)
      for (std::int64_t oc = 0; oc < kOut; ++oc)
        for (std::int64_t y = 0; y < out_size; ++y)
          for (std::int64_t x = 0; x < out_size; ++x) {
            const std::int64_t d = oc % per_group;  // channel within group
            const float want =
                d < kIn ? src[static_cast<std::size_t>(
                              ((b * kIn + d) * kSize + y + 1) * kSize + x + 1)]
                        : 0.0F;
            ASSERT_EQ(
                dst[static_cast<std::size_t>(
                    ((b * kOut + oc) * out_size + y) * out_size + x)],
                want)
                << "b " << b << " oc " << oc << " y " << y << " x " << x;
          }
  }
}

}  // namespace
}  // namespace initforge::testing
