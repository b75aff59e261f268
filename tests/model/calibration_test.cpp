// SPDX-License-Identifier: Apache-2.0
// Model::initialize with data-dependent schemes: LSUV on a deep ReLU MLP and
// a small CNN (each layer's output variance on the calibration batch,
// recomputed through the model), determinism, post_init keeping the fill's
// direction, orthogonal pre-init, the torch stream left alone, and plugin
// failures during calibrate.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/model/builder.h"

#include "tests/model/calibration_test_util.h"

namespace initforge::testing {
namespace {

using ::testing::HasSubstr;

constexpr double kTol = 0.1;  // lsuv's default

// The seeded N(0, 1) calibration batch, drawn here independently.
Tensor input_batch(const Model& model, std::int64_t n, std::uint64_t seed) {
  std::vector<std::int64_t> dims = {n};
  const auto sample = model.graph().input_shape().dims();
  dims.insert(dims.end(), sample.begin(), sample.end());
  Tensor batch = Tensor::empty(Shape(std::span<const std::int64_t>(dims)));
  RandomSource::create(RngKind::Philox, seed)
      ->generator_for("calibration")
      ->normal(batch.span(), 0.0, 1.0);
  return batch;
}

// Every `type` layer's output variance on `batch` within kTol of 1.
void expect_unit_variance(
    Model& model, const Tensor& batch, const std::string& type) {
  model.prepare(batch.shape()[0], Phase::Inference);
  model.forward(batch.view());
  int checked = 0;
  const auto nodes = model.graph().nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].type != type) continue;
    SCOPED_TRACE(nodes[i].name);
    EXPECT_NEAR(variance(model.node_output(i).span()), 1.0, kTol);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(ModelCalibration, LsuvGivesEveryLayerOfADeepReluMlpUnitVariance) {
  const auto model = built(deep_mlp(12, kLsuvRules));
  model->initialize(RandomSource::create(RngKind::Philox, 5));
  const auto& log = model->calibration_log();
  ASSERT_EQ(log.size(), 13u);  // fc1..fc12 and out
  EXPECT_THAT(log[0], ::testing::StartsWith("fc1.weight: lsuv: output var "));
  for (const std::string& line : log) {
    EXPECT_THAT(line, HasSubstr("(converged: within 0.1 of 1)"));
  }
  expect_unit_variance(*model, input_batch(*model, 256, 5), "Linear");
}

TEST(ModelCalibration, LsuvGivesEveryLayerOfACnnUnitVariance) {
  const auto model = built(small_cnn(
      R"("init_rules": [{"pattern": "Conv2d.weight", "scheme": "lsuv"},
                        {"pattern": "Linear.weight", "scheme": "lsuv"}],
         "calibration": {"batch_size": 64})"));
  model->initialize(RandomSource::create(RngKind::Philox, 2));
  EXPECT_EQ(model->calibration_log().size(), 3u);
  const Tensor batch = input_batch(*model, 64, 2);
  expect_unit_variance(*model, batch, "Conv2d");
  expect_unit_variance(*model, batch, "Linear");
}

TEST(ModelCalibration, SameSeedGivesIdenticalBits) {
  const auto a = built(small_cnn(kCnnLsuvRules));
  const auto b = built(small_cnn(kCnnLsuvRules));
  const auto c = built(small_cnn(kCnnLsuvRules));
  a->initialize(RandomSource::create(RngKind::Philox, 9));
  b->initialize(RandomSource::create(RngKind::Philox, 9));
  c->initialize(RandomSource::create(RngKind::Philox, 10));
  ASSERT_EQ(a->params().size(), b->params().size());
  for (std::size_t i = 0; i < a->params().size(); ++i) {
    EXPECT_TRUE(same_bits(a->params()[i], b->params()[i])) << i;
  }
  EXPECT_FALSE(same_bits(a->params()[0], c->params()[0]));
  EXPECT_EQ(a->calibration_log(), b->calibration_log());
}

TEST(ModelCalibration, PostInitKeepsTheFillsDirectionAndTheBiases) {
  const std::string kaiming =
      R"("init_rules": [{"pattern": "Linear.weight", "scheme": "kaiming_normal",
                         "nonlinearity": "relu"}])";
  const auto plain = built(deep_mlp(4, kaiming));
  const auto lsuv = built(deep_mlp(
      4,
      kaiming +
          R"(, "post_init": [{"pattern": "Linear.weight", "scheme": "lsuv",
                              "tol": 0.01}])"));
  plain->initialize(RandomSource::create(RngKind::Philox, 3));
  lsuv->initialize(RandomSource::create(RngKind::Philox, 3));
  EXPECT_TRUE(plain->calibration_log().empty());
  EXPECT_EQ(lsuv->calibration_log().size(), 5u);
  const auto& planned = lsuv->plan().params;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    SCOPED_TRACE(planned[i].info.path);
    const auto before = plain->params()[i].span();
    const auto after = lsuv->params()[i].span();
    if (planned[i].info.path.ends_with(".bias")) {
      EXPECT_FALSE(planned[i].calibration.has_value());
      EXPECT_TRUE(same_bits(plain->params()[i], lsuv->params()[i]));
      continue;
    }
    ASSERT_TRUE(planned[i].calibration.has_value());
    EXPECT_EQ(planned[i].scheme, "kaiming_normal");
    EXPECT_EQ(planned[i].calibration->scheme, "lsuv");
    EXPECT_EQ(
        planned[i].calibration->source_text, "post_init 0 (Linear.weight)");
    EXPECT_EQ(planned[i].target.kind, Target::Kind::Unknown);
    double dot = 0.0, norm = 0.0;
    for (std::size_t k = 0; k < before.size(); ++k) {
      dot += static_cast<double>(after[k]) * before[k];
      norm += static_cast<double>(before[k]) * before[k];
    }
    const double scale = dot / norm;
    EXPECT_GT(scale, 0.0);
    EXPECT_NE(scale, 1.0);
    for (std::size_t k = 0; k < before.size(); ++k) {
      ASSERT_NEAR(after[k], scale * before[k], 1e-5 * scale) << k;
    }
  }
  expect_unit_variance(*lsuv, input_batch(*lsuv, 256, 3), "Linear");
}

TEST(ModelCalibration, LsuvInInitRulesStartsFromAnOrthogonalMatrix) {
  const auto model = built(deep_mlp(3, kLsuvRules));
  model->initialize(RandomSource::create(RngKind::Philox, 4));
  const auto& planned = model->plan().params;
  int checked = 0;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    if (!planned[i].info.path.ends_with(".weight")) continue;
    SCOPED_TRACE(planned[i].info.path);
    expect_orthogonal_up_to_scale(model->params()[i]);
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(ModelCalibration, TorchStreamIsLeftAloneByPostInit) {
  const std::string torch = R"("rng": "torch")";
  const auto plain = built(deep_mlp(3, torch));
  const auto lsuv = built(deep_mlp(
      3,
      torch +
          R"(, "post_init": [{"pattern": "fc2.weight", "scheme": "lsuv"}])"));
  plain->initialize(RandomSource::create(RngKind::Torch, 1));
  lsuv->initialize(RandomSource::create(RngKind::Torch, 1));
  for (std::size_t i = 0; i < plain->params().size(); ++i) {
    const bool calibrated = lsuv->plan().params[i].info.path == "fc2.weight";
    EXPECT_EQ(same_bits(plain->params()[i], lsuv->params()[i]), !calibrated)
        << lsuv->plan().params[i].info.path;
  }
  EXPECT_TRUE(same_bits(plain->random_input(), lsuv->random_input()));
}

TEST(ModelCalibration, ModelWithoutDataDependentSchemesIsUnchanged) {
  const auto model = built(deep_mlp(2, ""));
  EXPECT_FALSE(model->plan().calibrates());
  EXPECT_FALSE(model->needs_training_batch());
  model->initialize(RandomSource::create(RngKind::Philox, 1));
  EXPECT_TRUE(model->calibration_log().empty());
  // Not prepared by initialize: the caller's prepare() is the first.
  EXPECT_THROW(static_cast<void>(model->phase()), Error);
}

TEST(ModelCalibration, ReinitializingAfterTrainingForwardsMatchesAFreshModel) {
  // BatchNorm's running statistics change in training forwards; a second
  // initialize must calibrate with the fresh ones, as a new model does.
  const ModelConfig config = with_layers(
      "[1, 8, 8]",
      R"({"name": "conv1", "type": "Conv2d", "out_channels": 4, "kernel_size": 3},
         {"name": "bn1", "type": "BatchNorm2d"},
         {"name": "relu1", "type": "ReLU"},
         {"name": "conv2", "type": "Conv2d", "out_channels": 4, "kernel_size": 3},
         {"name": "flatten", "type": "Flatten"},
         {"name": "fc", "type": "Linear", "out_features": 3})",
      R"(, "init_rules": [{"pattern": "Conv2d.weight", "scheme": "lsuv"},
                          {"pattern": "Linear.weight", "scheme": "lsuv"}],
         "calibration": {"batch_size": 16})");
  const auto used = built(config);
  used->initialize(RandomSource::create(RngKind::Philox, 6));
  used->prepare(8, Phase::Training);
  used->forward(used->random_input().view());
  used->sync_buffers();
  used->initialize(RandomSource::create(RngKind::Philox, 6));
  const auto fresh = built(config);
  fresh->initialize(RandomSource::create(RngKind::Philox, 6));
  for (std::size_t i = 0; i < fresh->params().size(); ++i) {
    EXPECT_TRUE(same_bits(used->params()[i], fresh->params()[i])) << i;
  }
}

TEST(ModelCalibration, ThrowingCalibrateIsAPluginErrorNamingTheParameter) {
  const FixtureRegistry f;
  const auto model = Model::build(
      two_layers(
          R"("init": {"weight": {"scheme": "fixture_calibrate_throws"}})"),
      f.registry,
      2);
  EXPECT_EQ(
      initialize_error(*model, true),
      "plugin " + f.library +
          ": fc2.weight: scheme \"fixture_calibrate_throws\" failed while "
          "calibrating: calibration boom");
}

TEST(ModelCalibration, PostInitCalibrateFailureNamesThePostInitScheme) {
  const FixtureRegistry f;
  const auto model = Model::build(
      two_layers(
          "",
          R"(, "post_init": [{"pattern": "fc1.weight",
                              "scheme": "fixture_calibrate_throws"}])"),
      f.registry,
      2);
  EXPECT_EQ(
      initialize_error(*model, false),
      "plugin " + f.library +
          ": fc1.weight: scheme \"fixture_calibrate_throws\" failed while "
          "calibrating: calibration boom");
}

TEST(ModelCalibration, NanWrittenByCalibrateIsCaughtWhenCheckingFiniteness) {
  const FixtureRegistry f;
  const std::string init =
      R"("init": {"weight": {"scheme": "fixture_calibrate_nan"}})";
  const auto model = Model::build(two_layers(init), f.registry, 2);
  EXPECT_EQ(
      initialize_error(*model, true),
      "plugin " + f.library +
          ": fc2.bias: scheme \"fixture_calibrate_nan\" wrote 1 non-finite "
          "value(s) (NaN or Inf) of 3; the first at index 1: nan");
  EXPECT_EQ(initialize_error(*model, false), "no error");
  EXPECT_TRUE(std::isnan(model->params()[3].data()[1]));
}

TEST(ModelCalibration, OutputOfAnUnknownLayerNamesTheKnownOnes) {
  const FixtureRegistry f;
  const auto model = Model::build(
      two_layers(
          R"("init": {"weight": {"scheme": "fixture_calibrate_unknown"}})"),
      f.registry,
      2);
  EXPECT_THAT(
      initialize_error(*model, false),
      HasSubstr(": fc2.weight: scheme \"fixture_calibrate_unknown\" failed "
                "while calibrating: Calibration::output_of: no layer "
                "\"no_such_layer\" in the model; its layers are fc1, relu1, "
                "fc2"));
}

}  // namespace
}  // namespace initforge::testing
