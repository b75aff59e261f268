// SPDX-License-Identifier: Apache-2.0
// Whole-model backward: graph wiring (fan-out sums, the model input,
// dead ends) checked with directional finite differences of the model's
// own forward, plus re-preparing between batches and phases. Each layer's
// backward is checked against double-precision references in
// tests/layers; here a wiring mistake (a missing sum) would be off by a
// whole term, far outside the float tolerance.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/model/builder.h"

#include "tests/model/model_test_util.h"
#include "tests/testing/builtin_registry.h"

namespace initforge {
namespace {

using testing::builtin_registry;
using ::testing::HasSubstr;
using testing::with_layers;

std::unique_ptr<Model> training_model(
    const ModelConfig& c, std::int64_t batch) {
  auto model = Model::build(c, builtin_registry(), batch);
  model->initialize(RandomSource::create(RngKind::Philox, c.seed));
  model->prepare(batch, Phase::Training);
  return model;
}

Tensor random_tensor(const Shape& shape, std::uint32_t seed) {
  Tensor t = Tensor::empty(shape);
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : t.span()) v = dist(engine);
  return t;
}

Shape batched(std::int64_t batch, const Shape& sample) {
  std::vector<std::int64_t> dims{batch};
  dims.insert(dims.end(), sample.dims().begin(), sample.dims().end());
  return Shape(std::span<const std::int64_t>(dims));
}

// L = sum(g * model(x)) in double, for the model's current parameters.
double objective(Model& model, const Tensor& x, const Tensor& g) {
  model.load_params();
  model.forward(x.view());
  double sum = 0.0;
  const auto y = model.output().span();
  for (std::size_t i = 0; i < y.size(); ++i) {
    sum += double{y[i]} * g.span()[i];
  }
  return sum;
}

// For each parameter tensor: the derivative of L along a random direction
// v, by central differences, against <grad, v>. Float forward passes with
// step h: the truncation error is O(h^2 |L'''|) and the rounding error
// ~ 1e-7 |L| / h; with h = 1e-2 on these smooth (tanh) models both stay
// below 1e-3 of the derivative, while a wiring mistake is off by O(1).
// Normalizing over few values curves L more: such models pass a smaller h.
void expect_directional_derivatives(
    Model& model, const Tensor& x, std::uint32_t seed, double h = 1e-2) {
  const Shape out_shape = model.output().shape();
  const Tensor g = random_tensor(out_shape, seed);
  model.forward(x.view());
  model.backward(g.view());
  std::vector<Tensor> grads;
  for (const Tensor& grad : model.grads()) grads.push_back(grad.clone());
  const auto params = model.mutable_params();
  for (std::size_t p = 0; p < params.size(); ++p) {
    const Tensor v = random_tensor(params[p].shape(), seed + 100 + p);
    const Tensor saved = params[p].clone();
    double analytic = 0.0;
    for (std::size_t i = 0; i < v.span().size(); ++i) {
      analytic += double{grads[p].span()[i]} * v.span()[i];
    }
    const auto shift = [&](double step) {
      for (std::size_t i = 0; i < v.span().size(); ++i) {
        params[p].span()[i] =
            saved.span()[i] + static_cast<float>(step) * v.span()[i];
      }
      return objective(model, x, g);
    };
    const double numeric = (shift(h) - shift(-h)) / (2 * h);
    std::copy(
        saved.span().begin(), saved.span().end(), params[p].span().begin());
    model.load_params();
    EXPECT_NEAR(analytic, numeric, 2e-3 * std::max(1.0, std::abs(numeric)))
        << "parameter " << model.plan().params[p].info.path;
  }
}

TEST(ModelBackward, ResidualLinearSumsBothPaths) {
  // fc1's output feeds fc2 and the Add: its gradient is the sum of both.
  const auto c = with_layers("[6]", R"(
    {"name": "fc1", "type": "Linear", "out_features": 5},
    {"name": "act", "type": "Tanh"},
    {"name": "fc2", "type": "Linear", "out_features": 5},
    {"name": "add", "type": "Add", "inputs": ["fc2", "fc1"]},
    {"name": "fc3", "type": "Linear", "out_features": 3})");
  auto model = training_model(c, 4);
  const Tensor x = random_tensor(batched(4, c.input), 1);
  expect_directional_derivatives(*model, x, 2);
}

TEST(ModelBackward, SameInputTwiceIntoAdd) {
  const auto c = with_layers("[4]", R"(
    {"name": "fc1", "type": "Linear", "out_features": 4},
    {"name": "add", "type": "Add", "inputs": ["fc1", "fc1"]},
    {"name": "act", "type": "Tanh"},
    {"name": "fc2", "type": "Linear", "out_features": 2})");
  auto model = training_model(c, 3);
  const Tensor x = random_tensor(batched(3, c.input), 3);
  expect_directional_derivatives(*model, x, 4);
}

TEST(ModelBackward, ConvBatchNormResidualBlock) {
  const auto c = with_layers("[3, 6, 6]", R"(
    {"name": "conv1", "type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
    {"name": "bn1", "type": "BatchNorm2d"},
    {"name": "act1", "type": "Tanh"},
    {"name": "conv2", "type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
    {"name": "add", "type": "Add", "inputs": ["conv2", "conv1"]},
    {"name": "pool", "type": "AvgPool2d", "kernel_size": 2},
    {"name": "flat", "type": "Flatten"},
    {"name": "fc", "type": "Linear", "out_features": 3})");
  auto model = training_model(c, 2);
  const Tensor x = random_tensor(batched(2, c.input), 5);
  expect_directional_derivatives(*model, x, 6);
}

TEST(ModelBackward, NormalizationLayersBetweenBlockedAndPlainLayouts) {
  // GroupNorm and LayerNorm read a conv's blocked output and write
  // row-major; BatchNorm1d normalizes [batch, features].
  const auto c = with_layers("[3, 6, 6]", R"(
    {"name": "conv1", "type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
    {"name": "gn", "type": "GroupNorm", "num_groups": 2},
    {"name": "act1", "type": "Tanh"},
    {"name": "conv2", "type": "Conv2d", "out_channels": 4, "kernel_size": 3},
    {"name": "ln", "type": "LayerNorm", "normalized_shape": [4, 4]},
    {"name": "flat", "type": "Flatten"},
    {"name": "fc1", "type": "Linear", "out_features": 5},
    {"name": "bn", "type": "BatchNorm1d"},
    {"name": "act2", "type": "Tanh"},
    {"name": "fc2", "type": "Linear", "out_features": 3})");
  auto model = training_model(c, 3);
  const Tensor x = random_tensor(batched(3, c.input), 14);
  // The weight directions move the normalized statistics: the O(h^2)
  // truncation is 7% of conv1's and fc1's derivative at h = 1e-2, 16x less
  // at 2.5e-3 and under 1e-3 at h = 1e-3 (rounding: ~6e-5).
  expect_directional_derivatives(*model, x, 15, 1e-3);
}

TEST(ModelBackward, ConcatOfBranchesUpsampledAndPooled) {
  // act1 goes into the Concat twice and conv2 once more: three summed
  // terms; the model input is concatenated too (no gradient wanted).
  const auto c = with_layers("[3, 4, 4]", R"(
    {"name": "conv1", "type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
    {"name": "act1", "type": "Tanh"},
    {"name": "conv2", "type": "Conv2d", "out_channels": 5, "kernel_size": 1},
    {"name": "cat", "type": "Concat", "inputs": ["conv2", "act1", "input", "act1"]},
    {"name": "up", "type": "ConvTranspose2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
    {"name": "act2", "type": "Tanh"},
    {"name": "gap", "type": "AdaptiveAvgPool2d", "output_size": 2},
    {"name": "flat", "type": "Flatten"},
    {"name": "fc", "type": "Linear", "out_features": 3})");
  auto model = training_model(c, 2);
  const Tensor x = random_tensor(batched(2, c.input), 7);
  expect_directional_derivatives(*model, x, 8);
}

TEST(ModelBackward, Conv1dStack) {
  const auto c = with_layers("[2, 9]", R"(
    {"name": "conv1", "type": "Conv1d", "out_channels": 4, "kernel_size": 3, "padding": 1},
    {"name": "act", "type": "Tanh"},
    {"name": "conv2", "type": "Conv1d", "out_channels": 4, "kernel_size": 3, "stride": 2, "groups": 2},
    {"name": "flat", "type": "Flatten"},
    {"name": "fc", "type": "Linear", "out_features": 2})");
  auto model = training_model(c, 3);
  const Tensor x = random_tensor(batched(3, c.input), 9);
  expect_directional_derivatives(*model, x, 10);
}

TEST(ModelBackward, LastNodeGradientIsTheOutputGradient) {
  const auto c = with_layers("[5]", R"(
    {"name": "fc1", "type": "Linear", "out_features": 4},
    {"name": "act", "type": "Tanh"})");
  auto model = training_model(c, 2);
  const Tensor x = random_tensor(batched(2, c.input), 7);
  const Tensor g = random_tensor(Shape{2, 4}, 8);
  model->forward(x.view());
  model->backward(g.view());
  const Tensor last = model->node_grad(1);
  EXPECT_TRUE(
      std::equal(last.span().begin(), last.span().end(), g.span().begin()));
  // d act / d fc1 = (1 - tanh^2) * g.
  const Tensor y = model->node_output(1);
  const Tensor first = model->node_grad(0);
  for (std::size_t i = 0; i < g.span().size(); ++i) {
    const double expect =
        (1.0 - double{y.span()[i]} * y.span()[i]) * g.span()[i];
    EXPECT_NEAR(first.span()[i], expect, 1e-5);
  }
}

TEST(ModelBackward, UnreadNodeHasZeroGradient) {
  // "side" is read by nobody and is not the output.
  const auto c = with_layers("[4]", R"(
    {"name": "fc1", "type": "Linear", "out_features": 3},
    {"name": "side", "type": "Linear", "out_features": 2},
    {"name": "fc2", "type": "Linear", "out_features": 2, "inputs": ["fc1"]})");
  auto model = training_model(c, 2);
  const Tensor x = random_tensor(batched(2, c.input), 9);
  model->forward(x.view());
  model->backward(random_tensor(Shape{2, 2}, 10).view());
  const Tensor side = model->node_grad(1);
  for (const float v : side.span()) EXPECT_EQ(v, 0.0f);
  // Its weight gradient is zero too.
  for (const float v : model->grads()[2].span()) EXPECT_EQ(v, 0.0f);
}

TEST(ModelBackward, BackwardAfterInferencePrepareThrows) {
  const auto c = with_layers("[4]", R"(
    {"name": "fc1", "type": "Linear", "out_features": 3})");
  auto model = Model::build(c, builtin_registry(), 2);
  model->initialize(RandomSource::create(RngKind::Philox, 1));
  model->prepare();
  const Tensor x = random_tensor(Shape{2, 4}, 1);
  model->forward(x.view());
  const Tensor g = random_tensor(Shape{2, 3}, 2);
  try {
    model->backward(g.view());
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("prepared for inference"));
  }
}

TEST(ModelBackward, WrongGradientShapeIsAShapeError) {
  const auto c = with_layers("[4]", R"(
    {"name": "fc1", "type": "Linear", "out_features": 3})");
  auto model = training_model(c, 2);
  const Tensor x = random_tensor(Shape{2, 4}, 1);
  model->forward(x.view());
  const Tensor g = random_tensor(Shape{2, 4}, 2);
  try {
    model->backward(g.view());
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("expected shape [2, 3]; got [2, 4]"));
  }
}

TEST(ModelBackward, RepreparingKeepsParametersAndRunningStatistics) {
  const auto c = with_layers("[2, 3, 3]", R"(
    {"name": "bn", "type": "BatchNorm2d"},
    {"name": "flat", "type": "Flatten"},
    {"name": "fc", "type": "Linear", "out_features": 2})");
  auto model = training_model(c, 4);
  const Tensor x = random_tensor(batched(4, c.input), 11);
  model->forward(x.view());            // updates the running statistics
  model->prepare(3, Phase::Training);  // re-prepare reads them back first
  const Tensor mean_after_one = model->buffers()[0].clone();
  bool moved = false;
  for (const float v : mean_after_one.span()) moved = moved || v != 0.0f;
  EXPECT_TRUE(moved) << "running_mean still at its initial zeros";
  // Inference on the batch-4 input uses those statistics; preparing back
  // and forth does not change them.
  model->prepare(4, Phase::Inference);
  model->forward(x.view());
  const Tensor y1 = model->output().clone();
  model->prepare(2, Phase::Inference);
  model->prepare(4, Phase::Inference);
  model->forward(x.view());
  EXPECT_TRUE(std::equal(
      y1.span().begin(), y1.span().end(), model->output().span().begin()));
  model->sync_buffers();
  EXPECT_TRUE(std::equal(
      mean_after_one.span().begin(),
      mean_after_one.span().end(),
      model->buffers()[0].span().begin()));
}

TEST(ModelBackward, RepeatedBackwardIsBitIdentical) {
  const auto c = with_layers("[3, 6, 6]", R"(
    {"name": "conv", "type": "Conv2d", "out_channels": 8, "kernel_size": 3},
    {"name": "relu", "type": "ReLU"},
    {"name": "pool", "type": "MaxPool2d", "kernel_size": 2},
    {"name": "flat", "type": "Flatten"},
    {"name": "fc", "type": "Linear", "out_features": 4})");
  auto model = training_model(c, 5);
  const Tensor x = random_tensor(batched(5, c.input), 12);
  const Tensor g = random_tensor(Shape{5, 4}, 13);
  model->forward(x.view());
  model->backward(g.view());
  std::vector<Tensor> first;
  for (const Tensor& t : model->grads()) first.push_back(t.clone());
  model->forward(x.view());
  model->backward(g.view());
  for (std::size_t p = 0; p < first.size(); ++p) {
    EXPECT_EQ(
        0,
        std::memcmp(
            first[p].data(),
            model->grads()[p].data(),
            first[p].span().size() * sizeof(float)));
  }
}

}  // namespace
}  // namespace initforge
