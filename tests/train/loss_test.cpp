// SPDX-License-Identifier: Apache-2.0
#include "framework/train/loss.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/train/golden_json.h"

namespace initforge {
namespace {

using testing::floats;
using ::testing::HasSubstr;
using testing::optim_golden;

Shape shape_of(const nlohmann::json& s) {
  return Shape{s[0].get<std::int64_t>(), s[1].get<std::int64_t>()};
}

// Exact-in-double reference losses for the finite-difference checks.
double ce_ref(
    const std::vector<double>& x, const std::vector<std::int32_t>& y, int c) {
  double total = 0.0;
  const int b = static_cast<int>(y.size());
  for (int i = 0; i < b; ++i) {
    double s = 0.0;
    for (int j = 0; j < c; ++j)
      s += std::exp(x[static_cast<std::size_t>(i * c + j)]);
    total +=
        std::log(s) -
        x[static_cast<std::size_t>(i * c + y[static_cast<std::size_t>(i)])];
  }
  return total / b;
}

double mse_ref(const std::vector<double>& x, const std::vector<double>& t) {
  double total = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i)
    total += (x[i] - t[i]) * (x[i] - t[i]);
  return total / static_cast<double>(x.size());
}

TEST(SoftmaxCrossEntropy, MatchesTorchGolden) {
  const auto& g = optim_golden()["losses"]["cross_entropy"];
  std::vector<float> x = floats(g["logits"]);
  std::vector<std::int32_t> y = g["labels"].get<std::vector<std::int32_t>>();
  std::vector<float> grad(x.size());
  const Shape s = shape_of(g["shape"]);
  const double loss = softmax_cross_entropy({x, s}, y, {grad, s});
  EXPECT_NEAR(
      static_cast<float>(loss),
      g["loss"].get<double>(),
      1e-6 * g["loss"].get<double>());
  const std::vector<float> want = floats(g["grad"]);
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(grad[i], want[i], 1e-6 * std::abs(want[i]) + 1e-9) << i;
  }
}

TEST(SoftmaxCrossEntropy, GradientMatchesFiniteDifferences) {
  const int b = 3;
  const int c = 4;
  std::vector<float> x = {
      0.3f,
      -1.2f,
      2.5f,
      0.0f,
      1.0f,
      1.0f,
      -3.0f,
      0.5f,
      -0.7f,
      4.0f,
      0.2f,
      0.1f};
  std::vector<std::int32_t> y = {2, 0, 3};
  std::vector<float> grad(x.size());
  const Shape s{b, c};
  const double loss = softmax_cross_entropy({x, s}, y, {grad, s});
  std::vector<double> xd(x.begin(), x.end());
  EXPECT_NEAR(loss, ce_ref(xd, y, c), 1e-12);
  const double h = 1e-6;
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::vector<double> up = xd, down = xd;
    up[i] += h;
    down[i] -= h;
    const double fd = (ce_ref(up, y, c) - ce_ref(down, y, c)) / (2 * h);
    EXPECT_NEAR(grad[i], fd, 1e-6) << i;  // float32 gradient vs double FD
  }
}

TEST(SoftmaxCrossEntropy, StaysFiniteWhenLogitsAreHuge) {
  std::vector<float> x = {1000.0f, -1000.0f, 0.0f, 2000.0f};
  std::vector<std::int32_t> y = {1, 0};
  std::vector<float> grad(4);
  const double loss =
      softmax_cross_entropy({x, Shape{2, 2}}, y, {grad, Shape{2, 2}});
  EXPECT_NEAR(loss, 2000.0, 1e-9);  // both rows: 2000 below the max
  EXPECT_EQ(grad, (std::vector<float>{0.5f, -0.5f, -0.5f, 0.5f}));
}

TEST(SoftmaxCrossEntropy, ThrowsWhenShapesOrLabelsAreWrong) {
  std::vector<float> x(6);
  std::vector<float> grad(6);
  std::vector<std::int32_t> y = {0, 1};
  const Shape s{2, 3};
  EXPECT_THAT(
      [&] {
        softmax_cross_entropy({x, Shape{6}}, y, {grad, Shape{6}});
      },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("must be [B, C]")));
  std::vector<std::int32_t> short_y = {0};
  EXPECT_THAT(
      [&] {
        softmax_cross_entropy({x, s}, short_y, {grad, s});
      },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("expected 2 labels")));
  EXPECT_THAT(
      [&] {
        softmax_cross_entropy({x, s}, y, {grad, Shape{3, 2}});
      },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("d_logits must have shape")));
  std::vector<std::int32_t> bad = {0, 3};
  EXPECT_THAT(
      [&] {
        softmax_cross_entropy({x, s}, bad, {grad, s});
      },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("label 1 expected in [0, 3); got 3")));
  bad = {-1, 0};
  EXPECT_THAT(
      [&] {
        softmax_cross_entropy({x, s}, bad, {grad, s});
      },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("got -1")));
}

TEST(MseLoss, MatchesTorchGolden) {
  const auto& g = optim_golden()["losses"]["mse"];
  std::vector<float> p = floats(g["pred"]);
  std::vector<float> t = floats(g["target"]);
  std::vector<float> grad(p.size());
  const Shape s = shape_of(g["shape"]);
  const double loss = mse_loss({p, s}, {t, s}, {grad, s});
  EXPECT_NEAR(
      static_cast<float>(loss),
      g["loss"].get<double>(),
      1e-6 * g["loss"].get<double>());
  const std::vector<float> want = floats(g["grad"]);
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(grad[i], want[i], 1e-6 * std::abs(want[i]) + 1e-9) << i;
  }
}

TEST(MseLoss, GradientMatchesFiniteDifferences) {
  std::vector<float> p = {0.5f, -1.5f, 2.25f, 0.0f, 3.0f, -0.125f};
  std::vector<float> t = {1.0f, -1.0f, 0.0f, 0.5f, 2.0f, 0.25f};
  std::vector<float> grad(p.size());
  const Shape s{2, 3};
  const double loss = mse_loss({p, s}, {t, s}, {grad, s});
  std::vector<double> pd(p.begin(), p.end()), td(t.begin(), t.end());
  EXPECT_NEAR(loss, mse_ref(pd, td), 1e-15);
  const double h = 1e-5;
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::vector<double> up = pd, down = pd;
    up[i] += h;
    down[i] -= h;
    EXPECT_NEAR(grad[i], (mse_ref(up, td) - mse_ref(down, td)) / (2 * h), 1e-6)
        << i;
  }
}

TEST(MseLoss, ThrowsWhenShapesDiffer) {
  std::vector<float> a(6), b(6), g(6);
  EXPECT_THAT(
      [&] {
        mse_loss({a, Shape{2, 3}}, {b, Shape{3, 2}}, {g, Shape{2, 3}});
      },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("must have one shape")));
  std::vector<float> e;
  EXPECT_THAT(
      [&] {
        mse_loss({e, Shape{0}}, {e, Shape{0}}, {e, Shape{0}});
      },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("non-empty")));
}

}  // namespace
}  // namespace initforge
