// SPDX-License-Identifier: Apache-2.0
// The step hook end to end: Model::set_step and the model's seed reach every
// Dropout through the graph runtime, with the layer's node name, in training
// only; evaluation is the identity (the output shares its input's buffer).

#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/generator.h"
#include "framework/model/builder.h"

#include "tests/model/model_test_util.h"
#include "tests/testing/builtin_registry.h"

namespace initforge {
namespace {

using testing::builtin_registry;
using testing::with_layers;

// The dropout contract (tests/layers/dropout_test.cpp checks it in detail):
// element i is kept when word i of the stream "<layer>.mask.step<s>" is
// below (1 - p) 2^32; here p = 0.5.
std::vector<bool> kept(
    std::uint64_t seed,
    const std::string& layer,
    std::int64_t step,
    std::size_t n) {
  std::vector<std::uint32_t> words(n);
  RandomSource::create(RngKind::Philox, seed)
      ->generator_for(layer + ".mask.step" + std::to_string(step))
      ->random_u32(words);
  std::vector<bool> keep(n);
  for (std::size_t i = 0; i < n; ++i) keep[i] = words[i] < 0x80000000u;
  return keep;
}

std::vector<std::uint32_t> bits(const Tensor& t) {
  std::vector<std::uint32_t> out;
  for (float f : t.span()) out.push_back(std::bit_cast<std::uint32_t>(f));
  return out;
}

class ModelDropout : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two Dropouts on the same input: only their names tell them apart.
    config_ = with_layers(
        "[32]",
        R"({"name": "fc", "type": "Linear", "out_features": 256},
           {"name": "drop", "type": "Dropout"},
           {"name": "drop2", "type": "Dropout", "inputs": ["fc"]},
           {"name": "sum", "type": "Add", "inputs": ["drop", "drop2"]})");
    model_ = Model::build(config_, builtin_registry(), 2);
    model_->initialize(RandomSource::create(RngKind::Philox, config_.seed));
    input_ = Tensor::empty(Shape{2, 32});
    std::mt19937 engine(1);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (float& v : input_.span()) v = dist(engine);
  }

  // Node outputs fc, drop, drop2 of a forward at `step` in `phase`.
  std::vector<Tensor> run(std::int64_t step, Phase phase, std::int64_t batch) {
    model_->prepare(batch, phase);
    model_->set_step(step);
    const auto n = static_cast<std::size_t>(batch * 32);
    Tensor x = Tensor::empty(Shape{batch, 32});
    std::copy(
        input_.span().begin(), input_.span().begin() + n, x.span().begin());
    model_->forward(x.view());
    std::vector<Tensor> out;  // Tensor is move-only
    for (std::size_t node = 0; node < 3; ++node) {
      out.push_back(model_->node_output(node));
    }
    return out;
  }

  ModelConfig config_;
  std::unique_ptr<Model> model_;
  Tensor input_;
};

// Each Dropout's output (nodes 1 and 2) is fc's (node 0) times the mask of
// (seed, its name, step) times 2; returns how many elements were dropped.
std::size_t expect_contract_masks(
    const std::vector<Tensor>& out, std::uint64_t seed, std::int64_t step) {
  const auto fc = out[0].span();
  std::size_t dropped = 0;
  for (std::size_t k = 1; k <= 2; ++k) {
    const std::string name = k == 1 ? "drop" : "drop2";
    const std::vector<bool> keep = kept(seed, name, step, fc.size());
    const auto y = out[k].span();
    for (std::size_t i = 0; i < fc.size(); ++i) {
      EXPECT_EQ(y[i], keep[i] ? fc[i] * 2.0f : 0.0f) << name << " " << i;
      dropped += !keep[i];
    }
  }
  return dropped;
}

TEST_F(ModelDropout, EachLayerDrawsFromTheSeedItsNameAndTheStep) {
  const std::vector<Tensor> out = run(7, Phase::Training, 2);
  ASSERT_EQ(out[0].span().size(), 512u);
  EXPECT_GT(expect_contract_masks(out, config_.seed, 7), 0u);
  // Another step draws other masks; the same step again (after preparing
  // for other batch sizes and phases in between) the same ones.
  EXPECT_NE(bits(run(8, Phase::Training, 2)[1]), bits(out[1]));
  run(7, Phase::Training, 1);
  run(7, Phase::Inference, 2);
  const std::vector<Tensor> again = run(7, Phase::Training, 2);
  EXPECT_EQ(bits(again[1]), bits(out[1]));
  EXPECT_EQ(bits(again[2]), bits(out[2]));
  // A shorter batch gives its sample the first sample's masks (its fc
  // output may round differently: compare each batch with its own).
  EXPECT_GT(
      expect_contract_masks(run(7, Phase::Training, 1), config_.seed, 7), 0u);
}

TEST_F(ModelDropout, EvaluationIsTheIdentity) {
  const std::vector<Tensor> out = run(7, Phase::Inference, 2);
  EXPECT_EQ(bits(out[1]), bits(out[0]));
  EXPECT_EQ(bits(out[2]), bits(out[0]));
  const auto y = model_->output().span();
  for (std::size_t i = 0; i < y.size(); ++i) {
    ASSERT_EQ(y[i], 2.0f * out[0].span()[i]);
  }
}

}  // namespace
}  // namespace initforge
