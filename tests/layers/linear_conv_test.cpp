// SPDX-License-Identifier: Apache-2.0
// Linear and Conv2d forward against the naive references.

#include <gtest/gtest.h>

#include "tests/layers/layer_test_util.h"
#include "tests/layers/reference.h"

namespace initforge::layer_test {
namespace {

void check_linear(
    std::int64_t batch, std::int64_t in, std::int64_t out, bool bias) {
  const Values x = random_values(batch * in, 11);
  const SingleRun run =
      run_layer(LinearOptions{out, bias}, {Shape{in}}, batch, {x});
  const auto& p = run.state.params;
  ASSERT_EQ(p.size(), bias ? 2u : 1u);
  expect_close(
      run.output, linear_ref(x, p[0], bias ? &p[1] : nullptr, batch, in, out));
}

TEST(Linear, ForwardMatchesReferenceForOneSample) {
  check_linear(1, 37, 19, true);
}

TEST(Linear, ForwardMatchesReferenceForABatch) {
  check_linear(5, 129, 33, true);
}

TEST(Linear, ForwardMatchesReferenceWithoutBias) {
  check_linear(3, 64, 17, false);
}

TEST(Linear, DeclaresWeightAndBiasWithTheWeightsFans) {
  const auto layer = make_layer(LinearOptions{10, true}, {{Shape{784}}});
  EXPECT_EQ(layer->type(), "Linear");
  EXPECT_EQ(layer->output_shape(), (Shape{10}));
  const auto params = layer->params();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "weight");
  EXPECT_EQ(params[0].role, ParamRole::Weight);
  EXPECT_EQ(params[0].shape, (Shape{10, 784}));
  EXPECT_EQ(params[0].fans, (Fans{784, 10}));
  EXPECT_EQ(params[1].name, "bias");
  EXPECT_EQ(params[1].role, ParamRole::Bias);
  EXPECT_EQ(params[1].shape, (Shape{10}));
  EXPECT_EQ(params[1].fans, (Fans{784, 10}));
  EXPECT_TRUE(layer->buffers().empty());
}

TEST(Linear, KeepsItsWeightsWhenPreparedAgainForAnotherBatch) {
  DnnlContext& ctx = context();
  const std::int64_t in = 48;
  const std::int64_t out = 20;
  auto layer = make_layer(LinearOptions{out, true}, {{Shape{in}}});
  const memory::desc first = plain({2, in});
  layer->prepare(ctx, 2, {&first, 1}, Phase::Inference);
  const LayerState state = load_random_state(*layer, 3);
  const std::int64_t batch = 37;
  const Values x = random_values(batch * in, 4);
  const memory src = plain_memory({batch, in}, x);
  const memory::desc src_md = src.get_desc();
  const memory dst(
      layer->prepare(ctx, batch, {&src_md, 1}, Phase::Inference), ctx.engine);
  layer->forward(ctx, {&src, 1}, dst);
  ctx.stream.wait();
  expect_close(
      to_plain(dst),
      linear_ref(x, state.params[0], &state.params[1], batch, in, out));
}

struct ConvCase {
  const char* name;
  std::int64_t batch, c, h, w;
  Conv2dOptions options;
};

class Conv2dForward : public testing::TestWithParam<ConvCase> {};

TEST_P(Conv2dForward, MatchesReference) {
  const ConvCase& t = GetParam();
  const Conv2dOptions& o = t.options;
  const Shape in{t.c, t.h, t.w};
  const Values x = random_values(t.batch * in.numel(), 21);
  const SingleRun run = run_layer(o, {in}, t.batch, {x});
  const Shape& out = run.layer->output_shape();
  // PyTorch's floor((H + 2p - d(k-1) - 1)/s) + 1.
  for (std::size_t a = 0; a < 2; ++a) {
    const std::int64_t size = (a == 0 ? t.h : t.w) + 2 * o.padding[a] -
                              o.dilation[a] * (o.kernel_size[a] - 1) - 1;
    EXPECT_EQ(out[a + 1], size / o.stride[a] + 1) << "axis " << a;
  }
  const auto& p = run.state.params;
  expect_close(
      run.output,
      conv2d_ref(
          x,
          {t.batch, t.c, t.h, t.w},
          p[0],
          o.bias ? &p[1] : nullptr,
          o,
          out[1],
          out[2]));
}

Conv2dOptions conv(
    std::int64_t out,
    IntPair k,
    IntPair s = {1, 1},
    IntPair p = {0, 0},
    IntPair d = {1, 1},
    std::int64_t g = 1,
    bool bias = true) {
  return {out, k, s, p, d, g, bias};
}

INSTANTIATE_TEST_SUITE_P(
    Layers,
    Conv2dForward,
    testing::Values(
        ConvCase{"plain3x3", 1, 3, 11, 9, conv(5, {3, 3})},
        ConvCase{
            "oneInputChannel", 3, 1, 12, 13, conv(32, {3, 3}, {1, 1}, {1, 1})},
        ConvCase{"pad1", 3, 3, 11, 9, conv(5, {3, 3}, {1, 1}, {1, 1})},
        ConvCase{"stride2pad1", 3, 5, 13, 10, conv(7, {3, 3}, {2, 2}, {1, 1})},
        ConvCase{
            "dilation2", 3, 4, 12, 11, conv(6, {3, 3}, {1, 1}, {2, 2}, {2, 2})},
        ConvCase{
            "mixed", 3, 3, 15, 14, conv(4, {3, 5}, {2, 1}, {1, 2}, {1, 2})},
        ConvCase{
            "groups2", 3, 4, 9, 9, conv(6, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 2)},
        ConvCase{
            "groups3Stride2",
            1,
            9,
            11,
            7,
            conv(6, {3, 3}, {2, 2}, {1, 1}, {1, 1}, 3)},
        ConvCase{
            "depthwise",
            3,
            16,
            9,
            11,
            conv(16, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 16)},
        ConvCase{
            "depthwiseMultiplier",
            3,
            5,
            9,
            8,
            conv(10, {5, 5}, {2, 2}, {2, 2}, {1, 1}, 5)},
        ConvCase{
            "noBias",
            3,
            3,
            10,
            10,
            conv(8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, false)},
        ConvCase{
            "groupsNoBias",
            3,
            8,
            7,
            7,
            conv(8, {3, 3}, {1, 1}, {1, 1}, {2, 2}, 4, false)},
        ConvCase{"pointwise", 3, 20, 5, 7, conv(24, {1, 1})},
        ConvCase{
            "blocked16to32", 3, 16, 9, 9, conv(32, {3, 3}, {1, 1}, {1, 1})},
        ConvCase{"blockedOdd", 1, 20, 7, 9, conv(19, {3, 3}, {2, 1}, {1, 1})},
        ConvCase{
            "kernelFillsPaddedInput",
            3,
            2,
            3,
            4,
            conv(3, {5, 6}, {1, 1}, {1, 1})},
        ConvCase{"strideBeyondInput", 3, 2, 5, 5, conv(3, {1, 1}, {3, 3})}),
    [](const testing::TestParamInfo<ConvCase>& param) {
      return std::string(param.param.name);
    });

TEST(Conv2d, ReadsAProducingConvsLayoutDirectly) {
  DnnlContext& ctx = context();
  const Conv2dOptions first = conv(32, {3, 3}, {1, 1}, {1, 1});
  const Conv2dOptions second = conv(24, {3, 3}, {2, 2}, {1, 1});
  const Shape in{16, 9, 7};
  const std::int64_t batch = 3;
  const Values x = random_values(batch * in.numel(), 71);
  memory src = plain_memory(batched(batch, in), x);
  auto a = make_layer(first, {{in}});
  auto b = make_layer(second, {{a->output_shape()}});
  const memory::desc src_md = src.get_desc();
  const memory mid(
      a->prepare(ctx, batch, {&src_md, 1}, Phase::Inference), ctx.engine);
  const memory::desc mid_md = mid.get_desc();
  ASSERT_TRUE(is_blocked(mid_md));
  const memory out(
      b->prepare(ctx, batch, {&mid_md, 1}, Phase::Inference), ctx.engine);
  // Weights scaled as PyTorch's default init keep activations O(1) as in a
  // real net; with U(-1, 1) weights the second conv's partial sums reach
  // ~40 and f32 accumulation alone exceeds 1e-5 of its O(1) outputs.
  const LayerState sa = load_random_state(*a, 72, true);
  const LayerState sb = load_random_state(*b, 73, true);
  a->forward(ctx, {&src, 1}, mid);
  b->forward(ctx, {&mid, 1}, out);
  ctx.stream.wait();
  const Result y = conv2d_ref(
      x, {batch, 16, 9, 7}, sa.params[0], &sa.params[1], first, 9, 7);
  expect_close(
      to_plain(out),
      conv2d_ref(
          Values(y.begin(), y.end()),
          {batch, 32, 9, 7},
          sb.params[0],
          &sb.params[1],
          second,
          5,
          4));
}

TEST(Conv2d, DeclaresGroupedWeightWithPyTorchFans) {
  const auto layer = make_layer(
      conv(6, {3, 5}, {1, 1}, {0, 0}, {1, 1}, 3), {{Shape{9, 8, 8}}});
  const auto params = layer->params();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].shape, (Shape{6, 3, 3, 5}));
  EXPECT_EQ(params[0].fans, (Fans{3 * 15, 6 * 15}));
  EXPECT_EQ(params[1].shape, (Shape{6}));
  EXPECT_EQ(params[1].fans, params[0].fans);
  EXPECT_EQ(layer->output_shape(), (Shape{6, 6, 4}));
}

TEST(Conv2d, WithoutBiasDeclaresOnlyTheWeight) {
  const auto layer = make_layer(
      conv(4, {3, 3}, {1, 1}, {0, 0}, {1, 1}, 1, false), {{Shape{2, 5, 5}}});
  ASSERT_EQ(layer->params().size(), 1u);
  EXPECT_EQ(layer->params()[0].name, "weight");
}

}  // namespace
}  // namespace initforge::layer_test
