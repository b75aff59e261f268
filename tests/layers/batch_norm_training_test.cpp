// SPDX-License-Identifier: Apache-2.0
// BatchNorm2d in training: the running statistics PyTorch's way, inference
// with them afterwards, set_params() with empty buffers, and the refusal of
// one value per channel.

#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/layers/reference.h"
#include "tests/layers/training_util.h"

namespace initforge::layer_test {
namespace {

struct BnFixture {
  ConvInput s{3, 3, 4, 5};
  Shape sample{3, 4, 5};
  std::unique_ptr<Layer> layer;
  memory::desc md;
  memory::desc dst_md;
  LayerState state;

  explicit BnFixture(double momentum) {
    layer = make_layer(BatchNorm2dOptions{1e-5, momentum}, {&sample, 1});
    md = plain(batched(s.n, sample));
    dst_md = layer->prepare(context(), s.n, {&md, 1}, Phase::Training);
    state = load_random_state(*layer, 16);
  }
  Floats input(std::uint32_t seed) const {
    return random_values(s.n * sample.numel(), seed, -2.0f, 3.0f);
  }
  Floats forward(const Floats& x) const {
    DnnlContext& ctx = context();
    const memory src = memory_in_layout(md, x);
    const memory dst(dst_md, ctx.engine);
    layer->forward(ctx, {&src, 1}, dst);
    ctx.stream.wait();
    return to_plain(dst);
  }
};

TEST(BatchNorm2dTraining, UpdatesRunningStatsAsPyTorchAfterTwoForwards) {
  BnFixture f(0.3);
  const double m = 0.3;
  const double n = static_cast<double>(f.s.n * f.s.h * f.s.w);
  std::vector<double> mean(
      f.state.buffers[0].begin(), f.state.buffers[0].end());
  std::vector<double> var(f.state.buffers[1].begin(), f.state.buffers[1].end());
  for (std::uint32_t seed : {17u, 18u}) {
    const Floats x = f.input(seed);
    f.forward(x);
    const BatchStats st = batch_stats_d(to_double(x), f.s);
    for (std::int64_t c = 0; c < f.s.c; ++c) {
      mean[c] = (1 - m) * mean[c] + m * st.mean[c];
      var[c] = (1 - m) * var[c] + m * st.var[c] * n / (n - 1);
    }
  }
  const Params running = read_buffers(*f.layer);
  expect_close(running[0], mean, 1e-6);
  expect_close(running[1], var, 1e-6);
}

TEST(BatchNorm2dTraining, InferenceAfterTrainingUsesTheRunningStats) {
  BnFixture f(0.1);
  f.forward(f.input(19));
  const Params running = read_buffers(*f.layer);
  EXPECT_NE(running[0], f.state.buffers[0]);  // the forward moved them
  f.dst_md = f.layer->prepare(context(), f.s.n, {&f.md, 1}, Phase::Inference);
  const Floats x = f.input(20);
  const Nchw s{f.s.n, f.s.c, f.s.h, f.s.w};
  expect_close(
      f.forward(x),
      batch_norm_ref(
          x,
          s,
          f.state.params[0],
          f.state.params[1],
          running[0],
          running[1],
          1e-5));
  EXPECT_EQ(read_buffers(*f.layer), running);  // inference leaves them
}

TEST(BatchNorm2dTraining, SetParamsWithEmptyBuffersKeepsRunningStats) {
  BnFixture f(0.1);
  f.forward(f.input(21));
  const Params before = read_buffers(*f.layer);
  const Params stepped = random_params(*f.layer, 22);
  set_params(*f.layer, stepped, {});
  EXPECT_EQ(read_buffers(*f.layer), before);
  const Floats x = f.input(23);
  expect_close(
      f.forward(x),
      batch_norm_train_ref_d(
          to_double(x),
          f.s,
          to_double(stepped[0]),
          to_double(stepped[1]),
          1e-5));
  const Params loaded{Floats(3, 0.25f), Floats(3, 4.0f)};
  set_params(*f.layer, stepped, loaded);  // non-empty: replaced
  EXPECT_EQ(read_buffers(*f.layer), loaded);
}

TEST(BatchNorm2dTraining, RejectsOneValuePerChannel) {
  const Shape sample{4, 1, 1};
  auto layer = make_layer(BatchNorm2dOptions{}, {&sample, 1});
  const memory::desc md = plain(batched(1, sample));
  expect_error<ShapeError>(
      [&] {
        layer->prepare(context(), 1, {&md, 1}, Phase::Training);
      },
      "BatchNorm2d: training expected more than 1 value per channel (batch x "
      "height x width); got input [1, 4, 1, 1]");
  layer->prepare(context(), 1, {&md, 1}, Phase::Inference);  // fine
}

}  // namespace
}  // namespace initforge::layer_test
