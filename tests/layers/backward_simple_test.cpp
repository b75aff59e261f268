// SPDX-License-Identifier: Apache-2.0
// Backward of the activations, pooling, Flatten, Add and Softmax against
// finite differences of double-precision references (gradcheck.h).

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>

#include <gtest/gtest.h>

#include "tests/layers/gradcheck.h"
#include "tests/layers/reference.h"

namespace initforge::layer_test {
namespace {

using Tag = memory::format_tag;
using Doubles = std::vector<double>;

// Uniform magnitudes in [0.05, 4) with random signs: ReLU's kink at 0 stays
// 50 finite-difference steps away.
std::vector<float> away_from_zero(std::int64_t n, std::uint32_t seed) {
  std::vector<float> v = random_values(n, seed, 0.05f, 4.0f);
  std::mt19937 engine(seed + 1);
  for (float& x : v) {
    x = (engine() & 1u) ? x : -x;
  }
  return v;
}

// A shuffle of -n/2·0.01 ... n/2·0.01: no two values within 0.01, so no
// max-pool window has a tie closer than 2.5 steps (|x| < 2 here).
std::vector<float> distinct_values(std::int64_t n, std::uint32_t seed) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = 0.01f * (static_cast<float>(i) - static_cast<float>(n) / 2.0f);
  }
  std::shuffle(v.begin(), v.end(), std::mt19937(seed));
  return v;
}

RefForward elementwise(std::function<double(double)> f) {
  return [f](const auto& in, const auto&) {
    Doubles y(in[0].size());
    std::transform(in[0].begin(), in[0].end(), y.begin(), f);
    return y;
  };
}

GradCase one_input(
    const LayerOptions& options,
    const Shape& sample,
    std::vector<float> x,
    RefForward ref,
    Tag tag = Tag::undef) {
  GradCase c;
  c.options = options;
  c.input_shapes = {sample};
  c.inputs = {std::move(x)};
  c.reference = std::move(ref);
  c.src_tags = {tag};
  return c;
}

struct ActivationCase {
  const char* name;
  LayerOptions options;
  std::function<double(double)> f;
};

class ActivationBackward : public testing::TestWithParam<ActivationCase> {};

TEST_P(ActivationBackward, MatchesFiniteDifferencesInEveryLayout) {
  const ActivationCase& t = GetParam();
  // 17 channels: nChw16c pads the second block (its padding must stay 0).
  for (Tag tag : {Tag::undef, Tag::nhwc, Tag::nChw16c}) {
    SCOPED_TRACE(testing::Message() << "layout tag " << static_cast<int>(tag));
    const Shape sample{17, 3, 2};
    gradcheck(one_input(
        t.options,
        sample,
        away_from_zero(2 * sample.numel(), 3),
        elementwise(t.f),
        tag));
  }
}

double gelu_tanh(double v) {
  const double k = std::sqrt(2.0 / std::numbers::pi);
  return 0.5 * v * (1.0 + std::tanh(k * (v + 0.044715 * v * v * v)));
}

INSTANTIATE_TEST_SUITE_P(
    Layers,
    ActivationBackward,
    testing::Values(
        ActivationCase{
            "ReLU", ReLUOptions{}, [](double v) { return v > 0 ? v : 0.0; }},
        ActivationCase{
            "LeakyReLU",
            LeakyReLUOptions{0.2},
            [](double v) { return v > 0 ? v : 0.2 * v; }},
        ActivationCase{
            "LeakyReLUNegativeSlope",
            LeakyReLUOptions{-0.3},
            [](double v) { return v > 0 ? v : -0.3 * v; }},
        ActivationCase{
            "Tanh", TanhOptions{}, [](double v) { return std::tanh(v); }},
        ActivationCase{
            "Sigmoid",
            SigmoidOptions{},
            [](double v) { return 1.0 / (1.0 + std::exp(-v)); }},
        ActivationCase{
            "GeluErf",
            GELUOptions{"none"},
            [](double v) {
              return 0.5 * v * (1.0 + std::erf(v / std::numbers::sqrt2));
            }},
        ActivationCase{"GeluTanh", GELUOptions{"tanh"}, gelu_tanh}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

struct PoolCase {
  const char* name;
  PoolKind kind;
  std::int64_t c, h, w;
  IntPair kernel, stride, padding;
};

class Pool2dBackward : public testing::TestWithParam<PoolCase> {};

TEST_P(Pool2dBackward, MatchesFiniteDifferencesInEveryLayout) {
  const PoolCase& t = GetParam();
  const LayerOptions options = t.kind == PoolKind::Max
                                   ? static_cast<LayerOptions>(MaxPool2dOptions{
                                         t.kernel, t.stride, t.padding})
                                   : static_cast<LayerOptions>(AvgPool2dOptions{
                                         t.kernel,
                                         t.stride,
                                         t.padding,
                                         t.kind == PoolKind::AvgIncludePad});
  const Shape sample{t.c, t.h, t.w};
  const Shape out = make_layer(options, {{sample}})->output_shape();
  const IntPair stride = t.stride == IntPair{0, 0} ? t.kernel : t.stride;
  const Nchw s{2, t.c, t.h, t.w};
  const RefForward ref = [=](const auto& in, const auto&) {
    return pool2d_ref(
        in[0], s, t.kind, t.kernel, stride, t.padding, out[1], out[2]);
  };
  for (Tag tag : {Tag::undef, Tag::nhwc, Tag::nChw16c}) {
    SCOPED_TRACE(testing::Message() << "layout tag " << static_cast<int>(tag));
    gradcheck(one_input(
        options, sample, distinct_values(2 * sample.numel(), 5), ref, tag));
  }
}

// One case per line reads as a table.
// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Layers,
    Pool2dBackward,
    testing::Values(
        PoolCase{"Max2x2", PoolKind::Max, 3, 6, 6, {2, 2}, {0, 0}, {0, 0}},
        PoolCase{"MaxOddDropsTail", PoolKind::Max, 2, 7, 9, {2, 2}, {0, 0}, {0, 0}},
        PoolCase{"MaxOverlapPadded", PoolKind::Max, 3, 7, 6, {3, 3}, {2, 2}, {1, 1}},
        PoolCase{"MaxRectStride1", PoolKind::Max, 2, 5, 7, {2, 3}, {1, 2}, {1, 1}},
        PoolCase{"AvgIncludePad", PoolKind::AvgIncludePad, 3, 7, 6, {3, 3}, {2, 2}, {1, 1}},
        PoolCase{"AvgExcludePad", PoolKind::AvgExcludePad, 3, 7, 6, {3, 3}, {2, 2}, {1, 1}},
        PoolCase{"AvgRectExcludePad", PoolKind::AvgExcludePad, 2, 5, 7, {2, 3}, {1, 2}, {1, 1}},
        PoolCase{"AvgOddDropsTail", PoolKind::AvgIncludePad, 2, 7, 9, {2, 2}, {0, 0}, {0, 0}}),
    [](const auto& param_info) { return std::string(param_info.param.name); });
// clang-format on

RefForward identity() {
  return [](const auto& in, const auto&) { return in[0]; };
}

TEST(FlattenBackward, RelayoutsIntoTheProducersLayout) {
  const Shape sample{17, 3, 2};
  for (Tag tag : {Tag::undef, Tag::nhwc, Tag::nChw16c}) {
    SCOPED_TRACE(testing::Message() << "layout tag " << static_cast<int>(tag));
    for (const FlattenOptions& o : {FlattenOptions{}, FlattenOptions{2, 3}}) {
      gradcheck(one_input(
          o, sample, random_values(2 * sample.numel(), 9), identity(), tag));
    }
  }
}

RefForward sum_of_inputs() {
  return [](const auto& in, const auto&) {
    Doubles y(in[0].size(), 0.0);
    for (const auto& x : in) {
      std::transform(y.begin(), y.end(), x.begin(), y.begin(), std::plus<>());
    }
    return y;
  };
}

TEST(AddBackward, TwoPlainInputsEachGetDiffDst) {
  const Shape sample{5, 3, 4};
  GradCase c;
  c.options = AddOptions{};
  c.input_shapes = {sample, sample};
  c.inputs = {
      random_values(2 * sample.numel(), 1),
      random_values(2 * sample.numel(), 2)};
  c.reference = sum_of_inputs();
  gradcheck(c);
}

TEST(AddBackward, MixedLayoutsAndASkippedInput) {
  const Shape sample{17, 3, 2};
  for (std::size_t skipped = 0; skipped < 3; ++skipped) {
    SCOPED_TRACE(testing::Message() << "input without gradient " << skipped);
    GradCase c;
    c.options = AddOptions{};
    c.input_shapes = {sample, sample, sample};
    for (std::uint32_t i = 0; i < 3; ++i) {
      c.inputs.push_back(random_values(2 * sample.numel(), 20 + i));
    }
    c.src_tags = {Tag::nhwc, Tag::undef, Tag::nChw16c};
    c.needs_grad = {true, true, true};
    c.needs_grad[skipped] = false;
    c.reference = sum_of_inputs();
    const GradResult r = gradcheck(c);
    EXPECT_TRUE(r.diff_src[skipped].empty());
  }
}

TEST(SoftmaxBackward, OverFeaturesOfA2dInput) {
  const Shape sample{10};
  gradcheck(one_input(
      SoftmaxOptions{1},
      sample,
      random_values(2 * 10, 6, -3.0f, 3.0f),
      [](const auto& in, const auto&) {
        return softmax_ref(in[0], {2, 10}, 1);
      }));
}

TEST(SoftmaxBackward, OverChannelsAndWidthOfA4dInput) {
  const Shape sample{6, 3, 5};
  for (std::int64_t dim : {1, -1}) {
    for (Tag tag : {Tag::undef, Tag::nhwc, Tag::nChw8c}) {
      SCOPED_TRACE(
          testing::Message()
          << "dim " << dim << ", tag " << static_cast<int>(tag));
      const std::size_t axis = dim == 1 ? 1 : 3;
      gradcheck(one_input(
          SoftmaxOptions{dim},
          sample,
          random_values(2 * sample.numel(), 8, -3.0f, 3.0f),
          [axis](const auto& in, const auto&) {
            return softmax_ref(in[0], {2, 6, 3, 5}, axis);
          },
          tag));
    }
  }
}

TEST(SimpleBackward, ReprepareForAnotherBatchKeepsGradientsRight) {
  // One layer for 4, 3 (an epoch's short last batch), then 4 samples again:
  // max pooling's workspace follows the batch.
  const Shape sample{3, 6, 6};
  const LayerOptions options = MaxPool2dOptions{{2, 2}};
  const auto layer = make_layer(options, {{sample}});
  for (std::int64_t batch : {4, 3, 4}) {
    SCOPED_TRACE(testing::Message() << "batch " << batch);
    GradCase c = one_input(
        options,
        sample,
        distinct_values(batch * sample.numel(), 2),
        [batch](const auto& in, const auto&) {
          return pool2d_ref(
              in[0],
              {batch, 3, 6, 6},
              PoolKind::Max,
              {2, 2},
              {2, 2},
              {0, 0},
              3,
              3);
        });
    c.batch = batch;
    c.layer = layer.get();
    gradcheck(c);
  }
}

}  // namespace
}  // namespace initforge::layer_test
