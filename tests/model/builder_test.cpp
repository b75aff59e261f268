// SPDX-License-Identifier: Apache-2.0
#include "framework/model/builder.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/model/model_test_util.h"
#include "tests/testing/builtin_registry.h"

namespace initforge {
namespace {

using testing::builtin_registry;
using testing::config_error;
using testing::config_of;
using ::testing::HasSubstr;
using testing::layer;
using ::testing::StartsWith;
using testing::with_layers;

std::unique_ptr<Model> ready(
    const ModelConfig& c, std::int64_t batch, RngKind rng = RngKind::Philox) {
  auto model = Model::build(c, builtin_registry(), batch);
  model->initialize(RandomSource::create(rng, c.seed));
  model->prepare();
  return model;
}

// Row-major [n, c, h, w] access into a flat double vector.
struct Nchw {
  std::int64_t n, c, h, w;
  std::vector<double> v =
      std::vector<double>(static_cast<std::size_t>(n * c * h * w));
  double& at(std::int64_t i, std::int64_t j, std::int64_t y, std::int64_t x) {
    return v[static_cast<std::size_t>(((i * c + j) * h + y) * w + x)];
  }
};

Nchw conv3x3_pad1(Nchw& in, const Tensor& w, const Tensor& b) {
  const std::int64_t out_c = w.shape()[0];
  Nchw out{in.n, out_c, in.h, in.w};
  for (std::int64_t n = 0; n < in.n; ++n)
    for (std::int64_t o = 0; o < out_c; ++o)
      for (std::int64_t y = 0; y < in.h; ++y)
        for (std::int64_t x = 0; x < in.w; ++x) {
          double s = b.data()[o];
          for (std::int64_t c = 0; c < in.c; ++c)
            for (std::int64_t ky = 0; ky < 3; ++ky)
              for (std::int64_t kx = 0; kx < 3; ++kx) {
                const std::int64_t yy = y + ky - 1, xx = x + kx - 1;
                if (yy < 0 || yy >= in.h || xx < 0 || xx >= in.w) continue;
                s += w.data()[((o * in.c + c) * 3 + ky) * 3 + kx] *
                     in.at(n, c, yy, xx);
              }
          out.at(n, o, y, x) = s;
        }
  return out;
}

// |got - want| <= 1e-5 * max(1, |want|) everywhere.
void expect_close(std::span<const float> got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], 1e-5 * std::max(1.0, std::abs(want[i]))) << i;
  }
}

TEST(Model, ForwardThroughBranchesAndLayoutsMatchesANaiveReference) {
  const ModelConfig c = with_layers(
      "[3, 7, 7]",
      R"({"name": "conv", "type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1},
         {"name": "bn", "type": "BatchNorm2d"},
         {"name": "act", "type": "ReLU"},
         {"name": "sum", "type": "Add", "inputs": ["act", "conv"]},
         {"name": "pool", "type": "MaxPool2d", "kernel_size": 2},
         {"name": "flat", "type": "Flatten"},
         {"name": "fc", "type": "Linear", "out_features": 5})",
      R"(, "init_rules": [{"pattern": "bn.*", "scheme": "normal"}])");
  const auto model = ready(c, 3);
  const Tensor input = model->random_input();
  ASSERT_EQ(input.shape(), (Shape{3, 3, 7, 7}));
  model->forward(input.view());

  const auto params = model->params();  // conv w, b; bn w, b; fc w, b
  Nchw x{3, 3, 7, 7};
  for (std::size_t i = 0; i < x.v.size(); ++i) x.v[i] = input.data()[i];
  Nchw conv = conv3x3_pad1(x, params[0], params[1]);
  expect_close(model->node_output(0).span(), conv.v);
  Nchw sum = conv;
  for (std::int64_t n = 0; n < 3; ++n)
    for (std::int64_t ch = 0; ch < 8; ++ch)
      for (std::int64_t y = 0; y < 7; ++y)
        for (std::int64_t xx = 0; xx < 7; ++xx) {
          // Running stats 0 and 1 at initialization.
          const double bn = conv.at(n, ch, y, xx) / std::sqrt(1.0 + 1e-5) *
                                params[2].data()[ch] +
                            params[3].data()[ch];
          sum.at(n, ch, y, xx) = std::max(bn, 0.0) + conv.at(n, ch, y, xx);
        }
  expect_close(model->node_output(3).span(), sum.v);
  Nchw pool{3, 8, 3, 3};
  for (std::int64_t n = 0; n < 3; ++n)
    for (std::int64_t ch = 0; ch < 8; ++ch)
      for (std::int64_t y = 0; y < 3; ++y)
        for (std::int64_t xx = 0; xx < 3; ++xx) {
          double m = -INFINITY;
          for (int d = 0; d < 4; ++d)
            m = std::max(m, sum.at(n, ch, 2 * y + d / 2, 2 * xx + d % 2));
          pool.at(n, ch, y, xx) = m;
        }
  std::vector<double> out(3 * 5);
  for (std::int64_t n = 0; n < 3; ++n)
    for (std::int64_t o = 0; o < 5; ++o) {
      double s = params[5].data()[o];
      for (std::int64_t k = 0; k < 72; ++k) {
        s += params[4].data()[o * 72 + k] *
             pool.v[static_cast<std::size_t>(n * 72 + k)];
      }
      out[static_cast<std::size_t>(n * 5 + o)] = s;
    }
  EXPECT_EQ(model->output().shape(), (Shape{3, 5}));
  expect_close(model->output().span(), out);
}

TEST(Model, PhiloxValuesDependOnlyOnSeedAndPath) {
  const ModelConfig a = with_layers(
      "[6]", R"({"name": "fc", "type": "Linear", "out_features": 4})");
  const ModelConfig b = with_layers(
      "[6]",
      R"({"name": "pre", "type": "Linear", "out_features": 6},
         {"name": "fc", "type": "Linear", "out_features": 4})");
  const auto ma = ready(a, 1), mb = ready(b, 1);
  const auto wa = ma->params()[0].span(), wb = mb->params()[2].span();
  EXPECT_EQ(std::memcmp(wa.data(), wb.data(), wa.size_bytes()), 0);
  auto other = Model::build(a, builtin_registry(), 1);
  other->initialize(RandomSource::create(RngKind::Philox, a.seed + 1));
  EXPECT_NE(
      std::memcmp(wa.data(), other->params()[0].data(), wa.size_bytes()), 0);
}

TEST(Model, TorchModeDrawsOneStreamInPlanOrderThenTheInput) {
  const ModelConfig c = with_layers(
      "[5]",
      R"({"name": "fc1", "type": "Linear", "out_features": 4},
         {"name": "fc2", "type": "Linear", "out_features": 3})");
  auto model = Model::build(c, builtin_registry(), 2);
  model->initialize(RandomSource::create(RngKind::Torch, 9));
  const Tensor input = model->random_input();
  // The same calls, one after another, on a fresh stream.
  const auto source = RandomSource::create(RngKind::Torch, 9);
  for (std::size_t i = 0; i < model->plan().params.size(); ++i) {
    const PlannedParam& p = model->plan().params[i];
    Tensor t = Tensor::empty(p.info.shape);
    p.initializer->fill(
        t.view(),
        {.param = p.info, .gen = *source->generator_for(p.info.path)});
    EXPECT_EQ(
        std::memcmp(t.data(), model->params()[i].data(), t.span().size_bytes()),
        0)
        << p.info.path;
  }
  Tensor expected = Tensor::empty(Shape{2, 5});
  source->generator_for("input")->normal(expected.span(), 0.0, 1.0);
  EXPECT_EQ(std::memcmp(expected.data(), input.data(), 40), 0);
}

TEST(Model, MemoryIsEstimatedExactlyAndCheckedBeforeAllocation) {
  const ModelConfig c = with_layers(
      "[4]", R"({"name": "fc", "type": "Linear", "out_features": 3})");
  auto model = Model::build(c, builtin_registry(), 2, 224);
  // Parameters 15 floats, twice; input 2x4, output 2x3 plus two copies.
  EXPECT_EQ(model->memory().parameter_bytes, 120);
  EXPECT_EQ(model->memory().activation_bytes, 32 + 24 + 48);
  EXPECT_EQ(model->memory().total_bytes, 224);
  EXPECT_EQ(
      config_error([&] { Model::build(c, builtin_registry(), 2, 223); }),
      "/layers/0|t.json: /layers/0: the model needs 224 B (224 bytes) for "
      "batch "
      "2: parameters 120 B, activations 104 B; 223 B available (MemAvailable); "
      "largest: layer \"fc\" (Linear, [3] output)");
}

TEST(Model, HugeModelsAreRefusedWithTheirSizeNotBadAlloc) {
  const ModelConfig huge = with_layers(
      "[10000000]",
      R"({"name": "big", "type": "Linear", "out_features": 10000000})");
  const std::string error =
      config_error([&] { Model::build(huge, builtin_registry(), 8); });
  EXPECT_THAT(
      error,
      StartsWith("/layers/0|t.json: /layers/0: the model needs 728 TiB ("));
  EXPECT_THAT(error, HasSubstr("for batch 8"));
  EXPECT_THAT(error, HasSubstr("available (MemAvailable)"));

  const ModelConfig overflow = config_of(
      {1 << 20, 1 << 20, 1 << 20},
      {layer("a", ReLUOptions{}), layer("b", ReLUOptions{})});
  EXPECT_THAT(
      config_error([&] { Model::build(overflow, builtin_registry(), 8); }),
      StartsWith(
          "/layers/0|code.json: /layers/0: the model needs more than 8 EiB "
          "(2^63 bytes) for batch 8: its sizes overflow"));
}

TEST(Model, FormatBytesUsesBinaryUnits) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(22.1 * 1024 * 1024 * 1024), "22.1 GiB");
  EXPECT_EQ(format_bytes(3.2 * 1024.0 * 1024 * 1024 * 1024), "3.2 TiB");
}

TEST(Model, StepsOutOfOrderAndWrongInputsAreRefused) {
  const ModelConfig c = with_layers(
      "[4]", R"({"name": "fc", "type": "Linear", "out_features": 3})");
  auto model = Model::build(c, builtin_registry(), 2);
  EXPECT_THROW(model->prepare(), Error);
  EXPECT_THROW(model->random_input(), Error);
  const Tensor x = Tensor::zeros(Shape{2, 4});
  EXPECT_THROW(model->forward(x.view()), Error);
  model->initialize(RandomSource::create(RngKind::Philox, 0));
  model->prepare();
  const Tensor wrong = Tensor::zeros(Shape{3, 4});
  EXPECT_THAT(
      [&] { model->forward(wrong.view()); },
      ::testing::ThrowsMessage<ShapeError>(HasSubstr(
          "model input: expected shape [2, 4] (batch 2); got [3, 4]")));
  EXPECT_THROW(Model::build(c, builtin_registry(), 0), UsageError);
}

}  // namespace
}  // namespace initforge
