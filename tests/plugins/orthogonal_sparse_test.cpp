// SPDX-License-Identifier: Apache-2.0
// orthogonal (W W^T or W^T W = gain^2 I) and sparse (zeros per column, KS on
// the rest): the two schemes that are not elementwise.

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "tests/plugins/plugin_test_util.h"

namespace initforge::testing {
namespace {

// Max |G - gain^2 I| where G is the Gram matrix of the flattened W's shorter
// side: W W^T for rows <= cols, else W^T W (TestNNInit.test_orthogonal).
double gram_error(
    const std::vector<float>& w, const Shape& shape, double gain) {
  const std::int64_t rows = shape[0], cols = shape.numel() / rows;
  const bool wide = rows <= cols;
  const std::int64_t n = wide ? rows : cols, len = wide ? cols : rows;
  const auto at = [&](std::int64_t vec, std::int64_t k) {
    return static_cast<double>(
        w[static_cast<std::size_t>(wide ? vec * cols + k : k * cols + vec)]);
  };
  double worst = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (std::int64_t k = 0; k < len; ++k) dot += at(i, k) * at(j, k);
      worst = std::max(worst, std::fabs(dot - (i == j ? gain * gain : 0.0)));
    }
  }
  return worst;
}

TEST(OrthogonalScheme, GramMatrixIsGainSquaredIdentity) {
  const std::vector<Shape> shapes = {
      Shape{3, 4}, Shape{4, 3}, Shape{20, 2, 3, 4}, Shape{2, 3, 4, 5}};
  std::uint64_t seed = 7;
  for (const Shape& shape : shapes) {
    for (const double gain : {1.0, 0.37, 1.85}) {
      SCOPED_TRACE(
          ::testing::Message() << shape.to_string() << " gain " << gain);
      const ArgList args = gain == 1.0 ? ArgList{} : ArgList{{"gain", gain}};
      const std::vector<float> w = fill("orthogonal", args, {shape}, seed++);
      // 1e-6 as TestNNInit, scaled by gain^2 above 1: float32 rounding of
      // Q grows with it (PyTorch 1.13 itself reaches 2.2e-6 at gain 1.85).
      EXPECT_LE(gram_error(w, shape, gain), 1e-6 * std::max(1.0, gain * gain));
    }
  }
}

TEST(OrthogonalScheme, SquareMatrixIsOrthogonalBothWays) {
  const Shape shape{64, 64};
  std::vector<float> w = fill("orthogonal", {}, {shape});
  EXPECT_LE(gram_error(w, shape, 1.0), 1e-5);
  std::vector<float> t(w.size());  // W^T is orthogonal too
  for (std::size_t i = 0; i < 64; ++i)
    for (std::size_t j = 0; j < 64; ++j) t[j * 64 + i] = w[i * 64 + j];
  EXPECT_LE(gram_error(t, shape, 1.0), 1e-5);
}

TEST(OrthogonalScheme, DiffersBetweenSeedsAndIsDeterministic) {
  const ParamSpec p{Shape{5, 7}};
  EXPECT_EQ(fill("orthogonal", {}, p, 1), fill("orthogonal", {}, p, 1));
  EXPECT_NE(fill("orthogonal", {}, p, 1), fill("orthogonal", {}, p, 2));
}

TEST(OrthogonalScheme, ZeroElementTensorIsANoOp) {
  for (const Shape& shape : {Shape{0, 5}, Shape{3, 0}, Shape{2, 0, 3}}) {
    EXPECT_TRUE(fill("orthogonal", {}, {shape}).empty());
  }
}

TEST(SparseScheme, EachColumnHasItsZerosAndTheRestIsNormal) {
  struct Case {
    double sparsity;
    std::optional<double> std;
  };
  const Shape shape{500, 250};
  std::uint64_t seed = 31;
  for (const Case c : {Case{0.15, std::nullopt}, Case{0.1, 0.2}}) {
    SCOPED_TRACE(::testing::Message() << "sparsity " << c.sparsity);
    ArgList args = {{"sparsity", c.sparsity}};
    if (c.std) args.emplace_back("std", *c.std);
    const std::vector<float> w = fill("sparse", args, {shape}, seed++);
    const auto zeros = static_cast<std::int64_t>(std::ceil(c.sparsity * 500));
    std::vector<float> nonzero;
    for (std::int64_t col = 0; col < 250; ++col) {
      std::int64_t count = 0;
      for (std::int64_t row = 0; row < 500; ++row) {
        const float v = w[static_cast<std::size_t>(row * 250 + col)];
        if (v == 0.0F)
          ++count;
        else
          nonzero.push_back(v);
      }
      ASSERT_GE(count, zeros) << "column " << col;
    }
    EXPECT_GE(nonzero.size(), 100000U);
    EXPECT_GT(ks_p(nonzero, Target::normal(0, c.std.value_or(0.01))), kMinP);
  }
}

TEST(SparseScheme, ZerosLandOnDifferentRowsPerColumn) {
  const std::vector<float> w =
      fill("sparse", {{"sparsity", 0.5}}, {Shape{40, 30}});
  std::vector<std::vector<bool>> zero_rows(30, std::vector<bool>(40));
  for (std::size_t i = 0; i < w.size(); ++i)
    zero_rows[i % 30][i / 30] = w[i] == 0;
  EXPECT_GT(std::ranges::count(zero_rows, zero_rows[0]), 0);
  EXPECT_LT(std::ranges::count(zero_rows, zero_rows[0]), 30);
}

TEST(SparseScheme, SparsityZeroAndOneAreTheExtremes) {
  const ParamSpec p{Shape{9, 6}};
  const auto none = fill("sparse", {{"sparsity", 0.0}}, p);
  EXPECT_TRUE(std::ranges::none_of(none, [](float v) { return v == 0; }));
  const auto all = fill("sparse", {{"sparsity", std::int64_t{1}}}, p);
  EXPECT_TRUE(std::ranges::all_of(all, [](float v) { return v == 0; }));
}

}  // namespace
}  // namespace initforge::testing
