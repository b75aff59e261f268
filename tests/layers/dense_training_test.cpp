// SPDX-License-Identifier: Apache-2.0
// Training state of Linear and Conv2d around backward(): parameters loaded
// after an optimizer step, re-prepares, a blocked producer, repeatability
// at training sizes, and the misuse errors (BatchNorm2d's too).

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/layers/training_util.h"

namespace initforge::layer_test {
namespace {

const Conv2dOptions kConv16{16, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true};

// ---- Linear and Conv2d ----------------------------------------------

TEST(DenseTraining, BackwardUsesParamsLoadedAfterAStep) {
  DnnlContext& ctx = context();
  // 32 -> 32 channels: backward-data reads the weights in another blocked
  // layout than the forward, so set_params() refreshes a second copy.
  const Conv2dOptions o{32, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true};
  const ConvInput s{3, 32, 6, 5};
  const std::int64_t in = 9;
  const std::int64_t out = 5;
  for (const bool is_conv : {true, false}) {
    SCOPED_TRACE(is_conv ? "Conv2d" : "Linear");
    const Shape sample = is_conv ? Shape{s.c, s.h, s.w} : Shape{in};
    auto layer = is_conv ? make_layer(o, {&sample, 1})
                         : make_layer(LinearOptions{out}, {&sample, 1});
    const memory::desc src_md = plain(batched(3, sample));
    const memory::desc dst_md =
        layer->prepare(ctx, 3, {&src_md, 1}, Phase::Training);
    load_random_state(*layer, 1);
    const Floats x = random_values(3 * sample.numel(), 2);
    const Floats g = random_values(3 * layer->output_shape().numel(), 3);
    forward_backward(*layer, src_md, dst_md, x, g);
    const Params stepped = random_params(*layer, 4);  // "after the step"
    set_params(*layer, stepped, {});
    const Pass p = forward_backward(*layer, src_md, dst_md, x, g);
    const Doubles xd = to_double(x);
    const Doubles w = to_double(stepped[0]);
    const Doubles b = to_double(stepped[1]);
    const Doubles gd = to_double(g);
    if (is_conv) {
      expect_pass_matches(
          p,
          conv2d_ref_d(xd, s, w, &b, o),
          conv2d_backward_ref_d(xd, s, w, gd, o));
    } else {
      expect_pass_matches(
          p,
          linear_ref_d(xd, w, &b, in, out),
          linear_backward_ref_d(xd, w, gd, in, out));
    }
  }
}

TEST(DenseTraining, RePrepareForAnotherBatchKeepsLoadedParams) {
  DnnlContext& ctx = context();
  const Shape sample{5, 5, 4};
  auto layer = make_layer(kConv16, {&sample, 1});
  const memory::desc md3 = plain(batched(3, sample));
  layer->prepare(ctx, 3, {&md3, 1}, Phase::Training);
  const LayerState state = load_random_state(*layer, 5);
  const memory::desc md4 = plain(batched(4, sample));
  layer->prepare(ctx, 4, {&md4, 1}, Phase::Inference);  // an eval pass
  const memory::desc md2(
      batched(2, sample), memory::data_type::f32, memory::format_tag::nhwc);
  const memory::desc dst_md =
      layer->prepare(ctx, 2, {&md2, 1}, Phase::Training);
  const Floats x = random_values(2 * sample.numel(), 6);
  const Floats g = random_values(2 * layer->output_shape().numel(), 7);
  const ConvInput s{2, 5, 5, 4};
  const Doubles w = to_double(state.params[0]);
  const Doubles b = to_double(state.params[1]);
  expect_pass_matches(
      forward_backward(*layer, md2, dst_md, x, g),
      conv2d_ref_d(to_double(x), s, w, &b, kConv16),
      conv2d_backward_ref_d(to_double(x), s, w, to_double(g), kConv16));
}

TEST(DenseTraining, ConvChainThroughABlockedLayoutMatchesReference) {
  DnnlContext& ctx = context();
  const ConvInput s1{2, 3, 5, 5};
  const Conv2dOptions o2{4, {3, 3}, {2, 2}, {1, 1}, {1, 1}, 1, true};
  const Shape in{3, 5, 5};
  auto conv1 = make_layer(kConv16, {&in, 1});
  const Shape mid = conv1->output_shape();
  auto conv2 = make_layer(o2, {&mid, 1});
  const memory::desc x_md = plain(batched(2, in));
  const memory::desc mid_md =
      conv1->prepare(ctx, 2, {&x_md, 1}, Phase::Training);
  EXPECT_TRUE(is_blocked(mid_md)) << "the test wants a blocked hand-over";
  const memory::desc y_md =
      conv2->prepare(ctx, 2, {&mid_md, 1}, Phase::Training);
  const LayerState p1 = load_random_state(*conv1, 8);
  const LayerState p2 = load_random_state(*conv2, 12);
  const Floats x = random_values(2 * in.numel(), 9);
  const memory src = memory_in_layout(x_md, x);
  const memory h(mid_md, ctx.engine);
  const memory y(y_md, ctx.engine);
  conv1->forward(ctx, {&src, 1}, h);
  conv2->forward(ctx, {&h, 1}, y);
  const Floats g = random_values(2 * conv2->output_shape().numel(), 10);
  const memory dy = memory_in_layout(y_md, g);
  const memory dh(mid_md, ctx.engine);
  const memory dx(x_md, ctx.engine);
  conv2->backward(ctx, {&h, 1}, y, dy, {&dh, 1});
  conv1->backward(ctx, {&src, 1}, h, dh, {&dx, 1});
  ctx.stream.wait();

  const Doubles w1 = to_double(p1.params[0]);
  const Doubles b1 = to_double(p1.params[1]);
  const Doubles w2 = to_double(p2.params[0]);
  const Doubles b2 = to_double(p2.params[1]);
  const ConvInput s2{2, mid[0], mid[1], mid[2]};
  const Doubles hd = conv2d_ref_d(to_double(x), s1, w1, &b1, kConv16);
  expect_close(to_plain(y), conv2d_ref_d(hd, s2, w2, &b2, o2));
  const DenseGrads r2 = conv2d_backward_ref_d(hd, s2, w2, to_double(g), o2);
  const DenseGrads r1 =
      conv2d_backward_ref_d(to_double(x), s1, w1, r2.dx, kConv16);
  const Params grads1 = param_grads(*conv1);
  const Params grads2 = param_grads(*conv2);
  expect_close(to_plain(dh), r2.dx);
  expect_close(to_plain(dx), r1.dx);
  expect_close(grads1[0], r1.dw);
  expect_close(grads1[1], r1.db);
  expect_close(grads2[0], r2.dw);
  expect_close(grads2[1], r2.db);
}

// The small gradchecks may run single-threaded inside oneDNN; these sizes
// split the reductions across threads.
TEST(DenseTraining, RepeatedBackwardIsBitIdenticalAtTrainingSizes) {
  DnnlContext& ctx = context();
  const Conv2dOptions o{32, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true};
  const Shape conv_in{16, 14, 14};
  const Shape linear_in{256};
  for (const auto& [options, sample] :
       {std::pair<LayerOptions, Shape>{o, conv_in},
        std::pair<LayerOptions, Shape>{LinearOptions{64}, linear_in}}) {
    auto layer = make_layer(options, {&sample, 1});
    const memory::desc src_md = plain(batched(16, sample));
    const memory::desc dst_md =
        layer->prepare(ctx, 16, {&src_md, 1}, Phase::Training);
    load_random_state(*layer, 13, true);
    const Floats x = random_values(16 * sample.numel(), 14);
    const Floats g = random_values(16 * layer->output_shape().numel(), 15);
    const Pass first = forward_backward(*layer, src_md, dst_md, x, g);
    for (int rep = 0; rep < 2; ++rep) {
      const Pass again = forward_backward(*layer, src_md, dst_md, x, g);
      EXPECT_EQ(
          std::memcmp(
              first.diff_src.data(),
              again.diff_src.data(),
              first.diff_src.size() * sizeof(float)),
          0);
      for (std::size_t k = 0; k < first.grads.size(); ++k) {
        EXPECT_EQ(
            std::memcmp(
                first.grads[k].data(),
                again.grads[k].data(),
                first.grads[k].size() * sizeof(float)),
            0)
            << "param " << k;
      }
    }
  }
}

// ---- Misuse ---------------------------------------------------------

TEST(DenseTraining, BackwardAndParamGradsThrowWhenPreparedForInference) {
  DnnlContext& ctx = context();
  const Shape image{2, 4, 4};
  const Shape flat{6};
  const struct {
    LayerOptions options;
    Shape sample;
    std::string type;
  } cases[] = {
      {LinearOptions{3}, flat, "Linear"},
      {Conv2dOptions{2, {3, 3}}, image, "Conv2d"},
      {BatchNorm2dOptions{}, image, "BatchNorm2d"}};
  for (const auto& c : cases) {
    auto layer = make_layer(c.options, {&c.sample, 1});
    const memory::desc md = plain(batched(2, c.sample));
    const memory::desc dst_md =
        layer->prepare(ctx, 2, {&md, 1}, Phase::Inference);
    load_random_state(*layer, 24);
    const memory src(md, ctx.engine);
    const memory dst(dst_md, ctx.engine);
    const memory none;
    expect_error<UsageError>(
        [&] {
          layer->backward(ctx, {&src, 1}, dst, dst, {&none, 1});
        },
        c.type +
            ": backward() expected a layer prepared with "
            "Phase::Training; got one prepared for inference");
    expect_error<UsageError>(
        [&] { param_grads(*layer); },
        c.type +
            ": param_grads() expected a layer prepared with "
            "Phase::Training");
    layer->prepare(ctx, 2, {&md, 1}, Phase::Training);
    const memory two[] = {src, src};
    expect_error<UsageError>(
        [&] {
          layer->backward(ctx, {&src, 1}, dst, dst, two);
        },
        c.type +
            ": backward() expected 1 sources and diff sources; got 1 "
            "and 2");
    std::vector<float> small(1);
    const TensorView one{small, Shape{1}};
    expect_error<UsageError>(
        [&] {
          layer->param_grads(ctx, {&one, 1});
        },
        c.type + ": param_grads() expected 2 outputs; got 1");
    const TensorView pair[] = {one, one};
    expect_error<ShapeError>(
        [&] { layer->param_grads(ctx, pair); },
        c.type + ": param_grads() output 0 expected shape [");
  }
}

}  // namespace
}  // namespace initforge::layer_test
