// SPDX-License-Identifier: Apache-2.0
// Flatten, Add and Softmax, alone and fed by convolutions whose output is in
// a blocked layout (the producer's choice that consumers must honour).

#include <gtest/gtest.h>

#include "tests/layers/layer_test_util.h"
#include "tests/layers/reference.h"

namespace initforge::layer_test {
namespace {

/// A prepared layer with its output memory and loaded random state.
struct Stage {
  std::unique_ptr<Layer> layer;
  memory dst;
  LayerState state;
};

Stage make_stage(
    const LayerOptions& options,
    const std::vector<Shape>& inputs,
    std::int64_t batch,
    const std::vector<memory::desc>& src,
    std::uint32_t seed) {
  Stage s;
  s.layer = make_layer(options, inputs);
  s.dst = memory(
      s.layer->prepare(context(), batch, src, Phase::Inference),
      context().engine);
  // Weights as PyTorch's default init: activations stay O(1), as in a net.
  s.state = load_random_state(*s.layer, seed, true);
  return s;
}

void forward(Stage& s, const std::vector<memory>& src) {
  s.layer->forward(context(), src, s.dst);
}

// 16 -> 32 channels: oneDNN picks a non-plain dst (nChw16c, or nhwc for its
// brgemm kernels); the tests assert it so they test what they claim.
const Conv2dOptions kBlockedConv{32, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true};
const Shape kConvIn{16, 5, 7};
const Shape kConvOut{32, 5, 7};
constexpr std::int64_t kBatch = 3;

Result conv_ref(const Values& x, const Stage& conv) {
  return conv2d_ref(
      x,
      {kBatch, 16, 5, 7},
      conv.state.params[0],
      &conv.state.params[1],
      kBlockedConv,
      5,
      7);
}

TEST(Flatten, ReordersABlockedConvOutputToRowMajor) {
  const Values x = random_values(kBatch * kConvIn.numel(), 51);
  const memory src = plain_memory(batched(kBatch, kConvIn), x);
  Stage conv = make_stage(kBlockedConv, {kConvIn}, kBatch, {src.get_desc()}, 1);
  ASSERT_TRUE(is_blocked(conv.dst.get_desc()));
  Stage flat = make_stage(
      FlattenOptions{}, {kConvOut}, kBatch, {conv.dst.get_desc()}, 2);
  EXPECT_EQ(flat.layer->output_shape(), (Shape{32 * 5 * 7}));
  EXPECT_FALSE(is_blocked(flat.dst.get_desc()));
  EXPECT_FALSE(flat.layer->output_aliases_input());  // it must reorder
  forward(conv, {src});
  forward(flat, {conv.dst});
  context().stream.wait();
  expect_close(to_plain(flat.dst), conv_ref(x, conv));
}

TEST(Flatten, MergesTheRequestedDimensionsOfAPlainInput) {
  const Shape in{3, 4, 5, 2};
  const Values x = random_values(2 * in.numel(), 52);
  const Result same(x.begin(), x.end());  // row-major bytes do not move
  const SingleRun middle = run_layer(FlattenOptions{2, 3}, {in}, 2, {x});
  EXPECT_EQ(middle.layer->output_shape(), (Shape{3, 20, 2}));
  expect_close(middle.output, same, 0.0);
  const SingleRun tail = run_layer(FlattenOptions{-2, -1}, {in}, 2, {x});
  EXPECT_EQ(tail.layer->output_shape(), (Shape{3, 4, 10}));
  expect_close(tail.output, same, 0.0);
  const SingleRun one = run_layer(FlattenOptions{1, 1}, {in}, 2, {x});
  EXPECT_EQ(one.layer->output_shape(), in);
  expect_close(one.output, same, 0.0);
}

TEST(Flatten, AliasedPlainInputIsLeftInPlace) {
  const Shape in{4, 3};
  const Values x = random_values(2 * in.numel(), 53);
  memory src = plain_memory(batched(2, in), x);
  auto flat = make_layer(FlattenOptions{}, {{in}});
  const memory::desc md = src.get_desc();
  const memory::desc out =
      flat->prepare(context(), 2, {&md, 1}, Phase::Inference);
  EXPECT_TRUE(flat->output_aliases_input());
  const memory dst(out, context().engine, src.get_data_handle());
  flat->forward(context(), {&src, 1}, dst);
  context().stream.wait();
  expect_close(to_plain(dst), Result(x.begin(), x.end()), 0.0);
}

TEST(Add, SumsTwoBlockedConvOutputs) {
  const Values x = random_values(kBatch * kConvIn.numel(), 54);
  const memory src = plain_memory(batched(kBatch, kConvIn), x);
  Stage a = make_stage(kBlockedConv, {kConvIn}, kBatch, {src.get_desc()}, 10);
  Stage b = make_stage(kBlockedConv, {kConvIn}, kBatch, {src.get_desc()}, 20);
  ASSERT_TRUE(is_blocked(a.dst.get_desc()));
  Stage add = make_stage(
      AddOptions{},
      {kConvOut, kConvOut},
      kBatch,
      {a.dst.get_desc(), b.dst.get_desc()},
      3);
  // The sum keeps the blocked layout for the next conv.
  EXPECT_EQ(add.dst.get_desc(), a.dst.get_desc());
  forward(a, {src});
  forward(b, {src});
  forward(add, {a.dst, b.dst});
  context().stream.wait();
  Result expected = conv_ref(x, a);
  const Result other = conv_ref(x, b);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    expected[i] += other[i];
  }
  expect_close(to_plain(add.dst), expected);
}

TEST(Add, SumsAPlainResidualAndABlockedBranch) {
  const Shape in{32, 5, 7};
  const Values x = random_values(kBatch * kConvIn.numel(), 55);
  const Values r = random_values(kBatch * in.numel(), 56);
  const memory src = plain_memory(batched(kBatch, kConvIn), x);
  const memory residual = plain_memory(batched(kBatch, in), r);
  Stage conv = make_stage(kBlockedConv, {kConvIn}, kBatch, {src.get_desc()}, 4);
  Stage add = make_stage(
      AddOptions{},
      {in, kConvOut},
      kBatch,
      {residual.get_desc(), conv.dst.get_desc()},
      5);
  EXPECT_EQ(add.dst.get_desc(), conv.dst.get_desc());
  forward(conv, {src});
  forward(add, {residual, conv.dst});
  context().stream.wait();
  Result expected = conv_ref(x, conv);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    expected[i] += r[i];
  }
  expect_close(to_plain(add.dst), expected);
}

TEST(Add, SumsThreePlainInputs) {
  const Shape in{3, 5};
  const Values a = random_values(3 * in.numel(), 57);
  const Values b = random_values(3 * in.numel(), 58);
  const Values c = random_values(3 * in.numel(), 59);
  const SingleRun run = run_layer(AddOptions{}, {in, in, in}, 3, {a, b, c});
  Result expected(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    expected[i] = double{a[i]} + b[i] + c[i];
  }
  expect_close(run.output, expected);
}

TEST(Softmax, Dim1OfFlatLogits) {
  const Values x = random_values(3 * 10, 60, -6.0f, 6.0f);
  const SingleRun run = run_layer(SoftmaxOptions{1}, {Shape{10}}, 3, {x});
  expect_close(run.output, softmax_ref(x, {3, 10}, 1));
}

TEST(Softmax, ChannelsAndLastDimOfAPlainImage) {
  const Shape in{6, 3, 5};
  const Values x = random_values(3 * in.numel(), 61, -4.0f, 4.0f);
  const SingleRun channels = run_layer(SoftmaxOptions{1}, {in}, 3, {x});
  expect_close(channels.output, softmax_ref(x, {3, 6, 3, 5}, 1));
  const SingleRun last = run_layer(SoftmaxOptions{-1}, {in}, 3, {x});
  expect_close(last.output, softmax_ref(x, {3, 6, 3, 5}, 3));
}

TEST(Softmax, OverChannelsOfABlockedConvOutput) {
  const Values x = random_values(kBatch * kConvIn.numel(), 62);
  const memory src = plain_memory(batched(kBatch, kConvIn), x);
  Stage conv = make_stage(kBlockedConv, {kConvIn}, kBatch, {src.get_desc()}, 6);
  Stage soft = make_stage(
      SoftmaxOptions{1}, {kConvOut}, kBatch, {conv.dst.get_desc()}, 7);
  forward(conv, {src});
  forward(soft, {conv.dst});
  context().stream.wait();
  const Result logits = conv_ref(x, conv);
  expect_close(
      to_plain(soft.dst),
      softmax_ref(Values(logits.begin(), logits.end()), {kBatch, 32, 5, 7}, 1));
}

TEST(Chain, ActivationsPoolAndBatchNormKeepTheBlockedLayout) {
  const Values x = random_values(kBatch * kConvIn.numel(), 63);
  const memory src = plain_memory(batched(kBatch, kConvIn), x);
  Stage conv = make_stage(kBlockedConv, {kConvIn}, kBatch, {src.get_desc()}, 8);
  const memory::desc blocked = conv.dst.get_desc();
  Stage bn = make_stage(BatchNorm2dOptions{}, {kConvOut}, kBatch, {blocked}, 9);
  Stage relu = make_stage(ReLUOptions{}, {kConvOut}, kBatch, {blocked}, 10);
  Stage pool = make_stage(
      MaxPool2dOptions{{2, 2}, {0, 0}, {0, 0}},
      {kConvOut},
      kBatch,
      {blocked},
      11);
  EXPECT_EQ(bn.dst.get_desc(), blocked);
  EXPECT_EQ(relu.dst.get_desc(), blocked);
  EXPECT_TRUE(is_blocked(pool.dst.get_desc()));
  forward(conv, {src});
  forward(bn, {conv.dst});
  forward(relu, {bn.dst});
  forward(pool, {relu.dst});
  context().stream.wait();
  const Result conv_out = conv_ref(x, conv);
  const Values c(conv_out.begin(), conv_out.end());
  const auto& p = bn.state.params;
  const auto& b = bn.state.buffers;
  Result y =
      batch_norm_ref(c, {kBatch, 32, 5, 7}, p[0], p[1], b[0], b[1], 1e-5);
  for (double& v : y) {
    v = v > 0 ? v : 0.0;
  }
  const Values yf(y.begin(), y.end());
  expect_close(
      to_plain(pool.dst),
      pool2d_ref(
          yf, {kBatch, 32, 5, 7}, PoolKind::Max, {2, 2}, {2, 2}, {0, 0}, 2, 3));
}

}  // namespace
}  // namespace initforge::layer_test
