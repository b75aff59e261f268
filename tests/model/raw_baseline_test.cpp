// SPDX-License-Identifier: Apache-2.0
// bench_model times initforge's forward against the same network driven
// through oneDNN directly (tools/bench/raw_dnnl_net.h) as "the same work":
// on initforge's own parameters and input, both must give the same output.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/generator.h"
#include "framework/core/tensor.h"
#include "framework/model/builder.h"
#include "framework/model/config_loader.h"
#include "framework/model/init_plan.h"

#include "tests/testing/builtin_registry.h"
#include "tools/bench/raw_dnnl_net.h"

namespace initforge {
namespace {

constexpr std::int64_t kBatch = 5;  // not a multiple of any vector width

// Float32 rounding of one dot product of length k: about sqrt(k) units of
// roundoff of its terms' scale; 8 of them per Linear/Conv2d on each side.
double tolerance(const Model& model) {
  double longest = 0;
  int layers = 0;
  for (const Tensor& p : model.params()) {
    if (p.shape().rank() < 2) continue;  // biases add one term
    longest = std::max(
        longest, static_cast<double>(p.shape().numel() / p.shape()[0]) + 1);
    ++layers;
  }
  return 2.0 * layers * 8.0 * std::sqrt(longest) * 0x1p-24;
}

// BatchNorm2d's defaults (weight 1, bias 0, mean 0, variance 1) make it
// nearly the identity, which would hide a baseline that mixes up its
// vectors: give every one distinct values (fixed seed) on both sides.
void vary_batch_norms(Model& model) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  const auto& layers = model.config().layers;
  for (std::size_t i = 0; i < model.plan().params.size(); ++i) {
    const PlannedParam& p = model.plan().params[i];
    if (layers[p.node].spec.type_name() != "BatchNorm2d") continue;
    const float base = p.param == 0 ? 1.0f : 0.0f;  // weight about 1
    for (float& v : model.mutable_params()[i].span()) v = base + u(rng);
  }
  for (std::size_t i = 0; i < model.plan().buffers.size(); ++i) {
    const bool var = model.plan().buffers[i].path.ends_with("running_var");
    for (float& v : model.mutable_buffers()[i].span()) {
      v = (var ? 1.0f : 0.0f) + u(rng);
    }
  }
  model.load_params();
  model.load_buffers();
}

void expect_same_output(const std::string& name) {
  SCOPED_TRACE(name);
  const ModelConfig config =
      load_config(std::filesystem::path(INITFORGE_CONFIGS_DIR) / name);
  auto model = Model::build(config, testing::builtin_registry(), kBatch);
  model->initialize(RandomSource::create(RngKind::Philox, 0));
  model->prepare();
  vary_batch_norms(*model);

  std::vector<std::span<const float>> params, buffers;
  for (const Tensor& p : model->params()) params.push_back(p.span());
  for (const Tensor& b : model->buffers()) buffers.push_back(b.span());
  bench::RawDnnlNet raw(config.input, config.layers, kBatch, params, buffers);

  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (float& v : raw.input()) v = normal(rng);
  std::vector<std::int64_t> dims{kBatch};
  for (std::int64_t d : config.input.dims()) dims.push_back(d);
  Tensor input = Tensor::empty(Shape(std::span<const std::int64_t>(dims)));
  std::copy(raw.input().begin(), raw.input().end(), input.span().begin());

  model->forward(input.view());
  raw.forward();
  const std::span<const float> want = model->output().span();
  const std::span<const float> got = raw.output();
  ASSERT_EQ(got.size(), want.size());
  double scale = 0, worst = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
    worst = std::max(worst, std::fabs(static_cast<double>(got[i]) - want[i]));
  }
  ASSERT_GT(scale, 0.0) << "an all-zero output proves nothing";
  EXPECT_LE(worst, tolerance(*model) * scale)
      << "max |raw - initforge| " << worst << " on outputs up to " << scale;
}

TEST(RawDnnlBaseline, MlpComputesInitforgesOutput) {
  expect_same_output("mlp.json");
}

TEST(RawDnnlBaseline, CnnComputesInitforgesOutput) {
  expect_same_output("cnn.json");
}

// A residual edge to the plain model input: Add over two layouts.
TEST(RawDnnlBaseline, ResnetBlockComputesInitforgesOutput) {
  expect_same_output("resnet_block.json");
}

// Blocks expanded: projection shortcuts, BatchNorm2d, global average pool.
TEST(RawDnnlBaseline, Resnet20ComputesInitforgesOutput) {
  expect_same_output("resnet20.json");
}

// The check above would pass for a baseline that ignored BatchNorm2d's
// vectors if they were the defaults; with varied ones it must not.
TEST(RawDnnlBaseline, BatchNormVectorsMatter) {
  const ModelConfig config = load_config(
      std::filesystem::path(INITFORGE_CONFIGS_DIR) / "resnet_block.json");
  auto model = Model::build(config, testing::builtin_registry(), 2);
  model->initialize(RandomSource::create(RngKind::Philox, 0));
  model->prepare();
  vary_batch_norms(*model);
  std::vector<std::span<const float>> params, buffers;
  for (const Tensor& p : model->params()) params.push_back(p.span());
  for (const Tensor& b : model->buffers()) buffers.push_back(b.span());
  const std::vector<float> zero_mean(16, 0.0f);
  auto swapped = buffers;
  swapped[0] = zero_mean;  // bn1.running_mean
  bench::RawDnnlNet a(config.input, config.layers, 2, params, buffers);
  bench::RawDnnlNet b(config.input, config.layers, 2, params, swapped);
  for (bench::RawDnnlNet* net : {&a, &b}) {
    std::mt19937 rng(3);
    std::normal_distribution<float> normal;
    for (float& v : net->input()) v = normal(rng);
    net->forward();
  }
  double diff = 0;
  for (std::size_t i = 0; i < a.output().size(); ++i) {
    diff = std::max(diff, std::fabs(double{a.output()[i]} - b.output()[i]));
  }
  EXPECT_GT(diff, 1e-3);
}

// ResNet-18's AdaptiveAvgPool2d (a layer type of another branch: a local
// stand-in with PyTorch's argument when this build lacks it) is average
// pooling over PyTorch's adaptive windows, here read from a conv's layout:
// the raw net's output must be the window means of the conv's output.
LayerSpec adaptive_avg_pool(IntPair output_size) {
  static const LayerType local{
      .name = "AdaptiveAvgPool2d",
      .doc = "stand-in",
      .args = {ArgSpec::required_int_pair("output_size", "output h, w")}};
  const LayerType* known = find_layer_type("AdaptiveAvgPool2d");
  return bind_layer_spec(
      known != nullptr ? *known : local, {{"output_size", output_size}});
}

LayerConfig named(std::string name, LayerSpec spec) {
  LayerConfig layer;
  layer.name = std::move(name);
  layer.spec = std::move(spec);
  return layer;
}

void expect_window_means(IntPair output_size, IntPair kernel) {
  SCOPED_TRACE(output_size[0]);
  const Shape input{3, 8, 6};
  const LayerConfig conv = named(
      "conv",
      layer_spec(
          "Conv2d",
          {{"out_channels", std::int64_t{16}},
           {"kernel_size", IntPair{3, 3}},
           {"padding", IntPair{1, 1}}}));
  const LayerConfig pool = named("pool", adaptive_avg_pool(output_size));
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  std::vector<float> weight(16 * 3 * 3 * 3), bias(16);
  for (float& v : weight) v = normal(rng);
  for (float& v : bias) v = normal(rng);
  const std::vector<LayerConfig> conv_only{conv}, pooled{conv, pool};
  bench::RawDnnlNet a(input, conv_only, 2, {weight, bias});
  bench::RawDnnlNet b(input, pooled, 2, {weight, bias});
  for (bench::RawDnnlNet* net : {&a, &b}) {
    std::mt19937 in_rng(6);
    for (float& v : net->input()) v = normal(in_rng);
    net->forward();
  }
  const std::int64_t oh = output_size[0], ow = output_size[1];
  ASSERT_EQ(b.output().size(), static_cast<std::size_t>(2 * 16 * oh * ow));
  const std::span<const float> x = a.output();  // [2, 16, 8, 6], plain
  for (std::int64_t nc = 0; nc < 2 * 16; ++nc) {
    for (std::int64_t i = 0; i < oh; ++i) {
      for (std::int64_t j = 0; j < ow; ++j) {
        double sum = 0;
        for (std::int64_t h = 0; h < kernel[0]; ++h) {
          for (std::int64_t w = 0; w < kernel[1]; ++w) {
            sum += x[static_cast<std::size_t>(
                (nc * 8 + i * kernel[0] + h) * 6 + j * kernel[1] + w)];
          }
        }
        // 48 float32 additions of values about 3: well under 1e-4.
        EXPECT_NEAR(
            b.output()[static_cast<std::size_t>((nc * oh + i) * ow + j)],
            sum / static_cast<double>(kernel[0] * kernel[1]),
            1e-4);
      }
    }
  }
}

TEST(RawDnnlBaseline, AdaptiveAvgPool2dTakesPyTorchsWindows) {
  expect_window_means({1, 1}, {8, 6});  // global
  expect_window_means({2, 3}, {4, 2});  // sizes that divide the input
}

TEST(RawDnnlBaseline, RefusesAdaptiveWindowsOfUnequalSize) {
  // 8 -> 3: PyTorch's windows [0, 3), [2, 6), [5, 8) are not alike.
  const LayerConfig pool = named("pool", adaptive_avg_pool({3, 3}));
  const std::vector<LayerConfig> layers{pool};
  EXPECT_THROW(
      bench::RawDnnlNet(Shape{3, 8, 8}, layers, 1), std::runtime_error);
}

// Parameters that do not fit the layers are refused, not read past.
TEST(RawDnnlBaseline, RefusesParametersOfTheWrongSize) {
  const ModelConfig config =
      load_config(std::filesystem::path(INITFORGE_CONFIGS_DIR) / "mlp.json");
  const std::vector<float> few(3);
  EXPECT_THROW(
      bench::RawDnnlNet(config.input, config.layers, 1, {few}),
      std::runtime_error);
}

// BatchNorm2d's running statistics are checked like parameters.
TEST(RawDnnlBaseline, RefusesMissingBuffers) {
  const ModelConfig config = load_config(
      std::filesystem::path(INITFORGE_CONFIGS_DIR) / "resnet_block.json");
  auto model = Model::build(config, testing::builtin_registry(), 1);
  model->initialize(RandomSource::create(RngKind::Philox, 0));
  std::vector<std::span<const float>> params, buffers;
  for (const Tensor& p : model->params()) params.push_back(p.span());
  for (const Tensor& b : model->buffers()) buffers.push_back(b.span());
  buffers.pop_back();
  EXPECT_THROW(
      bench::RawDnnlNet(config.input, config.layers, 1, params, buffers),
      std::runtime_error);
}

}  // namespace
}  // namespace initforge
