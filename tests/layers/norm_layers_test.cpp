// SPDX-License-Identifier: Apache-2.0
// BatchNorm1d, LayerNorm and GroupNorm outside the gradient checks:
// BatchNorm1d's running statistics PyTorch's way and inference with them;
// LayerNorm and GroupNorm normalizing the same way in training and
// inference, without buffers; the shape and usage errors.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/layers/norm_reference.h"
#include "tests/layers/reference.h"
#include "tests/layers/training_util.h"

namespace initforge::layer_test {
namespace {

// One layer prepared on plain sources; forward() on host vectors.
struct Prepared {
  std::unique_ptr<Layer> layer;
  std::int64_t batch;
  memory::desc md, dst_md;

  Prepared(const LayerOptions& options, const Shape& sample, std::int64_t n)
      : layer(make_layer(options, {&sample, 1})),
        batch(n),
        md(plain(batched(n, sample))) {}
  void prepare(Phase phase) {
    dst_md = layer->prepare(context(), batch, {&md, 1}, phase);
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

// ---- BatchNorm1d -----------------------------------------------------

struct Bn1dCase {
  std::int64_t n, c, length;  // length 0: per-sample [c]
  Shape sample() const {
    return length == 0 ? Shape{c} : Shape{c, length};
  }
  ConvInput nchw() const {
    return {n, c, std::max<std::int64_t>(length, 1), 1};
  }
};

class BatchNorm1dTraining : public testing::TestWithParam<Bn1dCase> {};

TEST_P(BatchNorm1dTraining, UpdatesRunningStatsAsPyTorchAfterTwoForwards) {
  const Bn1dCase t = GetParam();
  Prepared p(BatchNorm1dOptions{1e-5, 0.3}, t.sample(), t.n);
  p.prepare(Phase::Training);
  const LayerState state = load_random_state(*p.layer, 16);
  const double m = 0.3;
  const ConvInput s = t.nchw();
  const double count = static_cast<double>(s.n * s.h);
  std::vector<double> mean(state.buffers[0].begin(), state.buffers[0].end());
  std::vector<double> var(state.buffers[1].begin(), state.buffers[1].end());
  for (std::uint32_t seed : {17u, 18u}) {
    const Floats x = random_values(t.n * t.sample().numel(), seed, -2.0f, 3.0f);
    // Training normalizes with the batch's statistics.
    expect_close(
        p.forward(x),
        batch_norm_train_ref_d(
            to_double(x),
            s,
            to_double(state.params[0]),
            to_double(state.params[1]),
            1e-5));
    // PyTorch: (1 - m) * running + m * batch statistic, the variance
    // unbiased by count / (count - 1).
    const BatchStats st = batch_stats_d(to_double(x), s);
    for (std::int64_t c = 0; c < s.c; ++c) {
      mean[c] = (1 - m) * mean[c] + m * st.mean[c];
      var[c] = (1 - m) * var[c] + m * st.var[c] * count / (count - 1);
    }
  }
  const Params running = read_buffers(*p.layer);
  expect_close(running[0], mean, 1e-6);
  expect_close(running[1], var, 1e-6);
}

TEST_P(BatchNorm1dTraining, InferenceAfterTrainingUsesTheRunningStats) {
  const Bn1dCase t = GetParam();
  Prepared p(BatchNorm1dOptions{}, t.sample(), t.n);
  p.prepare(Phase::Training);
  const LayerState state = load_random_state(*p.layer, 19);
  p.forward(random_values(t.n * t.sample().numel(), 20, -2.0f, 3.0f));
  const Params running = read_buffers(*p.layer);
  EXPECT_NE(running[0], state.buffers[0]);  // the forward moved them
  p.prepare(Phase::Inference);
  const Floats x = random_values(t.n * t.sample().numel(), 21, -2.0f, 3.0f);
  const ConvInput s = t.nchw();
  expect_close(
      p.forward(x),
      batch_norm_ref(
          x,
          {s.n, s.c, s.h, s.w},
          state.params[0],
          state.params[1],
          running[0],
          running[1],
          1e-5));
  EXPECT_EQ(read_buffers(*p.layer), running);  // inference leaves them
}

INSTANTIATE_TEST_SUITE_P(
    Layers,
    BatchNorm1dTraining,
    testing::Values(Bn1dCase{6, 4, 0}, Bn1dCase{3, 5, 4}, Bn1dCase{1, 3, 7}),
    [](const auto& param_info) {
      const Bn1dCase& c = param_info.param;
      return "N" + std::to_string(c.n) + "C" + std::to_string(c.c) + "L" +
             std::to_string(c.length);
    });

TEST(BatchNorm1d, DeclaresAffineParamsAndRunningBuffers) {
  for (const Shape& sample : {Shape{6}, Shape{6, 9}}) {
    const auto layer = make_layer(BatchNorm1dOptions{}, {&sample, 1});
    EXPECT_EQ(layer->type(), "BatchNorm1d");
    EXPECT_EQ(layer->output_shape(), sample);
    const auto params = layer->params();
    ASSERT_EQ(params.size(), 2u);
    EXPECT_EQ(params[0].shape, Shape{6});
    EXPECT_EQ(params[1].role, ParamRole::Bias);
    const auto buffers = layer->buffers();
    ASSERT_EQ(buffers.size(), 2u);
    EXPECT_EQ(buffers[0].name, "running_mean");
    EXPECT_EQ(buffers[1].initial_value, 1.0f);
  }
}

TEST(BatchNorm1d, RejectsOneValuePerChannelInTraining) {
  for (const Shape& sample : {Shape{4}, Shape{4, 1}}) {
    Prepared p(BatchNorm1dOptions{}, sample, 1);
    expect_error<ShapeError>(
        [&] { p.prepare(Phase::Training); },
        std::string("BatchNorm1d: training expected more than 1 value per "
                    "channel (") +
            (sample.rank() == 1 ? "batch); got input [1, 4]"
                                : "batch x length); got input [1, 4, 1]"));
    p.prepare(Phase::Inference);  // fine
  }
}

TEST(BatchNorm1d, NeedsOneOrTwoDimsPerSample) {
  const Shape image{3, 4, 4};
  expect_error<ShapeError>(
      [&] {
        make_layer(BatchNorm1dOptions{}, {&image, 1});
      },
      "BatchNorm1d: expected a 1-D input [channels] or a 2-D input "
      "[channels, length] per sample; got [3, 4, 4]");
}

// ---- LayerNorm and GroupNorm -----------------------------------------

TEST(NormLayers, NormalizeAlikeInTrainingAndInferenceWithoutBuffers) {
  const Shape sample{6, 3, 4};
  const std::int64_t n = 3;
  const Floats x = random_values(n * sample.numel(), 31, -2.0f, 3.0f);
  for (const bool group : {false, true}) {
    SCOPED_TRACE(group ? "GroupNorm" : "LayerNorm");
    Prepared p(
        group ? LayerOptions(GroupNormOptions{2})
              : LayerOptions(LayerNormOptions{{3, 4}}),
        sample,
        n);
    EXPECT_TRUE(p.layer->buffers().empty());
    p.prepare(Phase::Inference);
    const LayerState state = load_random_state(*p.layer, 32);
    const Floats inference = p.forward(x);
    const std::vector<double> w = to_double(state.params[0]);
    const std::vector<double> b = to_double(state.params[1]);
    const std::vector<double> expected =
        group ? group_norm_ref(to_double(x), 6, 12, 2, &w, &b, 1e-5)
              : layer_norm_ref(to_double(x), 12, &w, &b, 1e-5);
    expect_close(inference, expected);
    p.prepare(Phase::Training);  // the parameters stay loaded
    const Floats training = p.forward(x);
    expect_close(training, expected);
    p.prepare(Phase::Inference);
    EXPECT_EQ(p.forward(x), inference);  // and the training pass left no state
  }
}

TEST(NormLayers, WithoutAffineOwnNoParameters) {
  const Shape sample{4, 5};
  const auto ln = make_layer(LayerNormOptions{{5}, 1e-5, false}, {&sample, 1});
  const auto gn = make_layer(GroupNormOptions{2, 1e-5, false}, {&sample, 1});
  for (Layer* layer : {ln.get(), gn.get()}) {
    SCOPED_TRACE(std::string(layer->type()));
    EXPECT_TRUE(layer->params().empty());
    const memory::desc md = plain(batched(2, sample));
    layer->prepare(context(), 2, {&md, 1}, Phase::Training);
    layer->set_params(context(), {}, {});
    const Floats one(5, 1.0f);
    const ConstTensorView extra(one, Shape{5});
    EXPECT_THROW(layer->set_params(context(), {&extra, 1}, {}), ShapeError);
    EXPECT_NO_THROW(layer->param_grads(context(), {}));
  }
}

TEST(NormLayers, AffineParametersHaveTheDeclaredShapes) {
  const Shape sample{6, 3, 4};
  const auto ln = make_layer(LayerNormOptions{{3, 4}}, {&sample, 1});
  const auto gn = make_layer(GroupNormOptions{3}, {&sample, 1});
  for (const auto* layer : {ln.get(), gn.get()}) {
    const auto params = layer->params();
    ASSERT_EQ(params.size(), 2u);
    EXPECT_EQ(params[0].name, "weight");
    EXPECT_EQ(params[1].name, "bias");
    EXPECT_EQ(params[1].role, ParamRole::Bias);
    EXPECT_FALSE(params[0].fans);
    const Shape expected = layer == ln.get() ? Shape{3, 4} : Shape{6};
    EXPECT_EQ(params[0].shape, expected);
    EXPECT_EQ(params[1].shape, expected);
  }
}

TEST(NormLayers, UsageErrorsNameTheCall) {
  const Shape sample{4, 5};
  for (const bool group : {false, true}) {
    const LayerOptions options = group ? LayerOptions(GroupNormOptions{2})
                                       : LayerOptions(LayerNormOptions{{5}});
    const std::string type = group ? "GroupNorm" : "LayerNorm";
    Prepared p(options, sample, 2);
    const Params params = random_params(*p.layer, 1);
    expect_error<UsageError>(
        [&] { set_params(*p.layer, params, {}); },
        type + ": set_params() called before prepare()");
    p.prepare(Phase::Inference);
    set_params(*p.layer, params, {});
    expect_error<UsageError>(
        [&] { param_grads(*p.layer); },
        type +
            ": param_grads() expected a layer prepared with "
            "Phase::Training");
    const memory none;
    expect_error<UsageError>(
        [&] {
          p.layer->backward(context(), {&none, 1}, none, none, {&none, 1});
        },
        type + ": backward() expected a layer prepared with Phase::Training");
  }
}

TEST(LayerNorm, NormalizedShapeMustBeTheLastDims) {
  const Shape sample{3, 4, 6};
  for (const IntList& bad : {IntList{4}, IntList{3, 4}, IntList{2, 3, 4, 6}}) {
    SCOPED_TRACE(to_string(ArgValue(bad)));
    expect_error<ShapeError>(
        [&] {
          make_layer(LayerNormOptions{bad}, {&sample, 1});
        },
        "LayerNorm: expected normalized_shape " + to_string(ArgValue(bad)) +
            " to be the last dimensions of the per-sample input; got input "
            "[3, 4, 6]");
  }
  EXPECT_EQ(
      make_layer(LayerNormOptions{{6}}, {&sample, 1})->output_shape(), sample);
  EXPECT_THROW(
      static_cast<void>(LayerSpec(LayerNormOptions{{4, 0}})), ArgumentError);
}

TEST(GroupNorm, ChannelsMustSplitIntoTheGroups) {
  const Shape sample{6, 4, 4};
  expect_error<ShapeError>(
      [&] {
        make_layer(GroupNormOptions{4}, {&sample, 1});
      },
      "GroupNorm: expected num_groups (4) to divide the input's channels; got "
      "input [6, 4, 4] with 6 channels");
  EXPECT_THROW(
      static_cast<void>(LayerSpec(GroupNormOptions{0})), ArgumentError);
  const Shape scalar{};
  expect_error<ShapeError>(
      [&] {
        make_layer(GroupNormOptions{1}, {&scalar, 1});
      },
      "GroupNorm: expected an input [channels, ...] per sample; got []");
}

}  // namespace
}  // namespace initforge::layer_test
