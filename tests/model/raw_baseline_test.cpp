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
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/generator.h"
#include "framework/core/tensor.h"
#include "framework/model/builder.h"
#include "framework/model/config_loader.h"

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

void expect_same_output(const std::string& name) {
  SCOPED_TRACE(name);
  const ModelConfig config =
      load_config(std::filesystem::path(INITFORGE_CONFIGS_DIR) / name);
  auto model = Model::build(config, testing::builtin_registry(), kBatch);
  model->initialize(RandomSource::create(RngKind::Philox, 0));
  model->prepare();

  std::vector<LayerSpec> layers;
  for (const LayerConfig& l : config.layers) {
    ASSERT_TRUE(l.inputs.empty()) << "the baseline is sequential only";
    layers.push_back(l.spec);
  }
  std::vector<std::span<const float>> params;
  for (const Tensor& p : model->params()) params.push_back(p.span());
  bench::RawDnnlNet raw(config.input, layers, kBatch, params);

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

// Parameters that do not fit the layers are refused, not read past.
TEST(RawDnnlBaseline, RefusesParametersOfTheWrongSize) {
  const ModelConfig config =
      load_config(std::filesystem::path(INITFORGE_CONFIGS_DIR) / "mlp.json");
  std::vector<LayerSpec> layers;
  for (const LayerConfig& l : config.layers) layers.push_back(l.spec);
  const std::vector<float> few(3);
  EXPECT_THROW(
      bench::RawDnnlNet(config.input, layers, 1, {few}), std::runtime_error);
}

}  // namespace
}  // namespace initforge
