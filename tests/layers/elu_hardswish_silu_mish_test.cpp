// SPDX-License-Identifier: Apache-2.0
// ELU, SELU, SiLU, Mish and Hardswish: forward against references written
// from PyTorch's definitions, backward against finite differences in plain
// and blocked layouts, and PyTorch 1.13's derivative at the branch points
// (where oneDNN's own differs, elu_hardswish.cpp).

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/layers/gradcheck.h"

namespace initforge::layer_test {
namespace {

using Tag = memory::format_tag;

// torch.nn.SELU's constants.
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

double elu(double x, double alpha) {
  return x > 0 ? x : alpha * std::expm1(x);
}
double selu(double x) {
  return kSeluScale * elu(x, kSeluAlpha);
}
double silu(double x) {
  return x / (1.0 + std::exp(-x));
}
double mish(double x) {
  return x * std::tanh(std::log1p(std::exp(x)));
}
double hardswish(double x) {
  return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
}

struct Case {
  const char* name;
  std::string type;
  ArgList args;
  std::function<double(double)> f;
  std::vector<double> kinks;  // where the derivative jumps
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"ELU", "ELU", {}, [](double v) { return elu(v, 1.0); }, {0.0}},
      {"ELUAlphaHalf",
       "ELU",
       {{"alpha", 0.5}},
       [](double v) { return elu(v, 0.5); },
       {0.0}},
      {"ELUNegativeAlpha",
       "ELU",
       {{"alpha", -0.3}},
       [](double v) { return elu(v, -0.3); },
       {0.0}},
      {"SELU", "SELU", {}, selu, {0.0}},
      {"SiLU", "SiLU", {}, silu, {}},
      {"Mish", "Mish", {}, mish, {}},
      {"Hardswish", "Hardswish", {}, hardswish, {-3.0, 3.0}},
  };
  return all;
}

class NewActivation : public testing::TestWithParam<Case> {};

// Values in [-6, 6) with both tails, 0 and the kinks themselves, and large
// magnitudes where exp over- or underflows.
TEST_P(NewActivation, ForwardMatchesReference) {
  const Case& t = GetParam();
  const Shape sample{3, 7, 5};
  for (std::int64_t batch : {1, 3}) {
    std::vector<float> x =
        random_values(batch * sample.numel(), 5, -6.0f, 6.0f);
    const float special[] = {
        0.0f,
        -0.0f,
        1e-30f,
        -1e-30f,
        -3.0f,
        3.0f,
        -20.0f,
        20.0f,
        -100.0f,
        100.0f};
    std::copy(std::begin(special), std::end(special), x.begin());
    const SingleRun run =
        run_layer(layer_spec(t.type, t.args), {sample}, batch, {x});
    EXPECT_EQ(run.layer->output_shape(), sample);
    EXPECT_TRUE(run.layer->params().empty());
    std::vector<double> expected(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      expected[i] = t.f(x[i]);
    }
    expect_close(run.output, expected);
  }
}

// Uniform in [-5, 5), none within 0.05 of a kink: 50 finite-difference
// steps (1e-3 * max(1, |x|)) away.
std::vector<float> away_from(
    const std::vector<double>& kinks, std::int64_t n, std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> dist(-5.0f, 5.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) {
    do {
      x = dist(engine);
    } while (std::any_of(kinks.begin(), kinks.end(), [x](double k) {
      return std::abs(x - k) < 0.05;
    }));
  }
  return v;
}

TEST_P(NewActivation, BackwardMatchesFiniteDifferencesInEveryLayout) {
  const Case& t = GetParam();
  // 17 channels: the blocked layouts pad their last block.
  const Shape sample{17, 3, 2};
  for (Tag tag : {Tag::undef, Tag::nhwc, Tag::nChw16c, Tag::nChw8c}) {
    SCOPED_TRACE(testing::Message() << "layout tag " << static_cast<int>(tag));
    GradCase c;
    c.options = layer_spec(t.type, t.args);
    c.input_shapes = {sample};
    c.inputs = {away_from(t.kinks, 2 * sample.numel(), 3)};
    c.src_tags = {tag};
    c.reference = [f = t.f](const auto& in, const auto&) {
      std::vector<double> y(in[0].size());
      std::transform(in[0].begin(), in[0].end(), y.begin(), f);
      return y;
    };
    gradcheck(c);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Layers,
    NewActivation,
    testing::ValuesIn(cases()),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// diff_src (row-major) of forward + backward on one sample `x` laid out as
// [1, x.size(), 1, 1] in `tag`, with diff_dst all ones.
std::vector<float> ones_backward(
    const LayerOptions& options, const std::vector<float>& x, Tag tag) {
  DnnlContext& ctx = context();
  const Shape sample{static_cast<std::int64_t>(x.size()), 1, 1};
  const auto layer = make_layer(options, {{sample}});
  const memory::desc md(batched(1, sample), memory::data_type::f32, tag);
  const memory src = memory_in_layout(md, x);
  const memory diff_src(md, ctx.engine);
  const memory::desc dst_md = layer->prepare(ctx, 1, {&md, 1}, Phase::Training);
  const memory dst(dst_md, ctx.engine);
  layer->forward(ctx, {&src, 1}, dst);
  layer->backward(
      ctx,
      {&src, 1},
      dst,
      memory_in_layout(dst_md, std::vector<float>(x.size(), 1.0f)),
      {&diff_src, 1});
  ctx.stream.wait();
  return to_plain(diff_src);
}

// Expected values are torch 1.13's x.grad after f(x).backward(ones).
TEST(NewActivationBranchPoints, EluTakesTheNegativeBranchUpToZeroOnly) {
  // oneDNN's own derivative gives alpha for 0 < x < 6e-8.
  const std::vector<float> x{0.0f, -0.0f, 1e-30f, -1e-30f, 1e-10f, 5e-8f};
  for (Tag tag : {Tag::nchw, Tag::nChw16c}) {
    EXPECT_EQ(
        ones_backward(layer_spec("ELU", {{"alpha", 0.5}}), x, tag),
        (std::vector<float>{0.5f, 0.5f, 1.0f, 0.5f, 1.0f, 1.0f}));
    EXPECT_EQ(
        ones_backward(layer_spec("ELU", {{"alpha", -2.0}}), x, tag),
        (std::vector<float>{-2.0f, -2.0f, 1.0f, -2.0f, 1.0f, 1.0f}));
    // alpha 1 runs oneDNN's derivative: both branches give 1 there.
    EXPECT_EQ(
        ones_backward(layer_spec("ELU"), x, tag), std::vector<float>(6, 1.0f));
  }
}

TEST(NewActivationBranchPoints, SeluUsesAlphaTimesScaleAtZero) {
  // torch: [1.7580993, 1.7580993, 1.0507010, 1.7580993]: the float product
  // alpha * scale, and scale, each rounded to float.
  const auto negcoef =
      static_cast<float>(kSeluAlpha) * static_cast<float>(kSeluScale);
  const auto scale = static_cast<float>(kSeluScale);
  for (Tag tag : {Tag::nchw, Tag::nChw8c}) {
    EXPECT_EQ(
        ones_backward(layer_spec("SELU"), {0.0f, -0.0f, 1e-30f, -1e-30f}, tag),
        (std::vector<float>{negcoef, negcoef, scale, negcoef}));
  }
}

TEST(NewActivationBranchPoints, HardswishIncludesBothEndsInTheLinearPiece) {
  // oneDNN's own derivative: 0 at -3 and 1 at 3.
  const std::vector<float> x{
      -3.0f, 3.0f, -3.0000002f, 3.0000002f, 2.9999998f, -2.9999998f, 0.0f};
  for (Tag tag : {Tag::nchw, Tag::nChw16c}) {
    EXPECT_EQ(
        ones_backward(layer_spec("Hardswish"), x, tag),
        (std::vector<float>{
            -0.5f, 1.5f, 0.0f, 1.0f, 1.5f, -0.49999994f, 0.5f}));
  }
}

// The layouts' padding holds zeros (oneDNN's invariant); the host
// derivatives write zeros there even when their operands' padding is NaN.
TEST(NewActivationBackward, HostDerivativesLeaveZeroPadding) {
  DnnlContext& ctx = context();
  const Shape sample{17, 2, 2};
  for (const char* type : {"ELU", "SELU", "Hardswish"}) {
    SCOPED_TRACE(type);
    const LayerOptions options = layer_spec(
        type, std::string(type) == "ELU" ? ArgList{{"alpha", 0.5}} : ArgList{});
    const auto layer = make_layer(options, {{sample}});
    const memory::desc md(
        batched(2, sample), memory::data_type::f32, Tag::nChw16c);
    const std::vector<float> x = random_values(2 * sample.numel(), 4, -4, 4);
    const memory src = memory_in_layout(md, x);
    layer->prepare(ctx, 2, {&md, 1}, Phase::Training);
    const memory dst(md, ctx.engine);
    layer->forward(ctx, {&src, 1}, dst);
    const memory diff_dst =
        memory_in_layout(md, random_values(2 * sample.numel(), 5));
    // NaN wherever the reorders left a zero: the padding (no value is 0).
    for (const memory& m : {src, diff_dst}) {
      auto* p = static_cast<float*>(m.get_data_handle());
      for (std::size_t i = 0; i < md.get_size() / sizeof(float); ++i) {
        if (p[i] == 0.0f) p[i] = std::nanf("");
      }
    }
    const memory diff_src(md, ctx.engine);
    poison(diff_src, 0x7fc00000u);
    layer->backward(ctx, {&src, 1}, dst, diff_dst, {&diff_src, 1});
    ctx.stream.wait();
    const memory clean = memory_in_layout(md, to_plain(diff_src));
    EXPECT_EQ(
        std::memcmp(
            diff_src.get_data_handle(), clean.get_data_handle(), md.get_size()),
        0);
  }
}

TEST(NewActivationBackward, FollowsTheBackwardContract) {
  DnnlContext& ctx = context();
  const Shape sample{4, 3, 2};
  const memory::desc md = plain(batched(2, sample));
  for (const Case& t : cases()) {
    SCOPED_TRACE(t.name);
    const auto layer = make_layer(layer_spec(t.type, t.args), {{sample}});
    const memory src = memory_in_layout(md, random_values(48, 1));
    const memory dst(md, ctx.engine);
    const memory diff_src(md, ctx.engine);
    layer->prepare(ctx, 2, {&md, 1}, Phase::Inference);
    layer->forward(ctx, {&src, 1}, dst);
    EXPECT_THROW(
        layer->backward(ctx, {&src, 1}, dst, dst, {&diff_src, 1}), UsageError);
    layer->prepare(ctx, 2, {&md, 1}, Phase::Training);
    layer->forward(ctx, {&src, 1}, dst);
    EXPECT_THROW(layer->backward(ctx, {&src, 1}, dst, dst, {}), UsageError);
    const memory none;
    EXPECT_NO_THROW(layer->backward(ctx, {&src, 1}, dst, dst, {&none, 1}));
    ctx.stream.wait();
  }
}

TEST(NewActivationBackward, HostDerivativesRejectALayoutWithGaps) {
  DnnlContext& ctx = context();
  // Rows of 3 values 4 floats apart: not a dense layout.
  const memory::desc gaps({2, 3}, memory::data_type::f32, {4, 1});
  const auto layer = make_layer(layer_spec("Hardswish"), {{Shape{3}}});
  EXPECT_NO_THROW(layer->prepare(ctx, 2, {&gaps, 1}, Phase::Inference));
  try {
    layer->prepare(ctx, 2, {&gaps, 1}, Phase::Training);
    ADD_FAILURE() << "no exception";
  } catch (const UsageError& e) {
    EXPECT_NE(
        std::string(e.what()).find("Hardswish: expected a dense f32 layout"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace initforge::layer_test
