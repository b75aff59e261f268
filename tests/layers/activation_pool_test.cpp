// SPDX-License-Identifier: Apache-2.0
// Activations, pooling and BatchNorm2d forward against the naive references.

#include <cmath>
#include <functional>
#include <numbers>

#include <gtest/gtest.h>

#include "tests/layers/layer_test_util.h"
#include "tests/layers/reference.h"

namespace initforge::layer_test {
namespace {

// Activations see values in [-5, 5): both tails and the region near 0.
void check_activation(
    const LayerOptions& options, const std::function<double(double)>& f) {
  const Shape sample{3, 7, 5};
  for (std::int64_t batch : {1, 3}) {
    const Values x = random_values(batch * sample.numel(), 5, -5.0f, 5.0f);
    const SingleRun run = run_layer(options, {sample}, batch, {x});
    EXPECT_EQ(run.layer->output_shape(), sample);
    EXPECT_TRUE(run.layer->params().empty());
    Result expected(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      expected[i] = f(x[i]);
    }
    expect_close(run.output, expected);
  }
}

TEST(Activation, ReLUMatchesReference) {
  check_activation(ReLUOptions{}, [](double v) { return v > 0 ? v : 0.0; });
}

TEST(Activation, LeakyReLUMatchesReference) {
  check_activation(
      LeakyReLUOptions{0.2}, [](double v) { return v > 0 ? v : 0.2 * v; });
}

TEST(Activation, TanhMatchesReference) {
  check_activation(TanhOptions{}, [](double v) { return std::tanh(v); });
}

TEST(Activation, SigmoidMatchesReference) {
  check_activation(
      SigmoidOptions{}, [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
}

TEST(Activation, GeluErfMatchesReference) {
  check_activation(GELUOptions{"none"}, [](double v) {
    return 0.5 * v * (1.0 + std::erf(v / std::numbers::sqrt2));
  });
}

TEST(Activation, GeluTanhMatchesReference) {
  check_activation(GELUOptions{"tanh"}, [](double v) {
    const double k = std::sqrt(2.0 / std::numbers::pi);
    return 0.5 * v * (1.0 + std::tanh(k * (v + 0.044715 * v * v * v)));
  });
}

struct PoolCase {
  const char* name;
  PoolKind kind;
  std::int64_t batch, c, h, w;
  IntPair kernel, stride, padding;
};

class Pool2dForward : public testing::TestWithParam<PoolCase> {};

TEST_P(Pool2dForward, MatchesReference) {
  const PoolCase& t = GetParam();
  const LayerOptions options = t.kind == PoolKind::Max
                                   ? static_cast<LayerOptions>(MaxPool2dOptions{
                                         t.kernel, t.stride, t.padding})
                                   : static_cast<LayerOptions>(AvgPool2dOptions{
                                         t.kernel,
                                         t.stride,
                                         t.padding,
                                         t.kind == PoolKind::AvgIncludePad});
  const Shape in{t.c, t.h, t.w};
  const Values x = random_values(t.batch * in.numel(), 31);
  const SingleRun run = run_layer(options, {in}, t.batch, {x});
  const IntPair stride = t.stride == IntPair{0, 0} ? t.kernel : t.stride;
  const Shape& out = run.layer->output_shape();
  EXPECT_EQ(out[0], t.c);
  for (std::size_t a = 0; a < 2; ++a) {
    const std::int64_t size = (a == 0 ? t.h : t.w);
    EXPECT_EQ(
        out[a + 1], (size + 2 * t.padding[a] - t.kernel[a]) / stride[a] + 1);
  }
  expect_close(
      run.output,
      pool2d_ref(
          x,
          {t.batch, t.c, t.h, t.w},
          t.kind,
          t.kernel,
          stride,
          t.padding,
          out[1],
          out[2]));
}

INSTANTIATE_TEST_SUITE_P(
    Layers,
    Pool2dForward,
    testing::Values(
        PoolCase{"max2x2", PoolKind::Max, 3, 4, 8, 8, {2, 2}, {0, 0}, {0, 0}},
        PoolCase{
            "maxOddDropsTail",
            PoolKind::Max,
            1,
            3,
            7,
            9,
            {2, 2},
            {0, 0},
            {0, 0}},
        PoolCase{
            "max3s2p1", PoolKind::Max, 3, 5, 11, 10, {3, 3}, {2, 2}, {1, 1}},
        PoolCase{
            "maxMixed", PoolKind::Max, 3, 17, 9, 12, {3, 4}, {1, 3}, {1, 2}},
        PoolCase{
            "avgIncludePad",
            PoolKind::AvgIncludePad,
            3,
            3,
            9,
            7,
            {3, 3},
            {2, 2},
            {1, 1}},
        PoolCase{
            "avgExcludePad",
            PoolKind::AvgExcludePad,
            3,
            3,
            9,
            7,
            {3, 3},
            {2, 2},
            {1, 1}},
        PoolCase{
            "avgIncludeMixed",
            PoolKind::AvgIncludePad,
            1,
            2,
            10,
            11,
            {4, 3},
            {3, 2},
            {2, 1}},
        PoolCase{
            "avgExcludeMixed",
            PoolKind::AvgExcludePad,
            1,
            2,
            10,
            11,
            {4, 3},
            {3, 2},
            {2, 1}},
        PoolCase{
            "avgNoPad",
            PoolKind::AvgIncludePad,
            3,
            4,
            6,
            6,
            {2, 2},
            {0, 0},
            {0, 0}}),
    [](const testing::TestParamInfo<PoolCase>& param) {
      return std::string(param.param.name);
    });

TEST(BatchNorm2d, InferenceUsesRunningStatistics) {
  const BatchNorm2dOptions options{1e-3, 0.1};
  for (std::int64_t batch : {1, 3}) {
    const Shape in{5, 7, 3};
    const Values x = random_values(batch * in.numel(), 41, -3.0f, 3.0f);
    const SingleRun run = run_layer(options, {in}, batch, {x});
    const auto& p = run.state.params;
    const auto& b = run.state.buffers;
    ASSERT_EQ(p.size(), 2u);
    ASSERT_EQ(b.size(), 2u);
    expect_close(
        run.output,
        batch_norm_ref(x, {batch, 5, 7, 3}, p[0], p[1], b[0], b[1], 1e-3));
  }
}

TEST(BatchNorm2d, DeclaresAffineParamsAndRunningBuffers) {
  const auto layer = make_layer(BatchNorm2dOptions{}, {{Shape{6, 4, 4}}});
  const auto params = layer->params();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "weight");
  EXPECT_EQ(params[0].role, ParamRole::Weight);
  EXPECT_EQ(params[0].shape, (Shape{6}));
  EXPECT_FALSE(params[0].fans.has_value());
  EXPECT_EQ(params[1].name, "bias");
  EXPECT_EQ(params[1].role, ParamRole::Bias);
  const auto buffers = layer->buffers();
  ASSERT_EQ(buffers.size(), 2u);
  EXPECT_EQ(buffers[0].name, "running_mean");
  EXPECT_EQ(buffers[0].initial_value, 0.0f);
  EXPECT_EQ(buffers[1].name, "running_var");
  EXPECT_EQ(buffers[1].initial_value, 1.0f);
  EXPECT_EQ(buffers[1].shape, (Shape{6}));
}

}  // namespace
}  // namespace initforge::layer_test
