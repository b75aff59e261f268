// SPDX-License-Identifier: Apache-2.0
// Calibrating on training data ("calibration": {"source": "train"}): the
// batch a seeded permutation picks, the model refusing to calibrate without
// it, LSUV on it, and the trainer supplying it and recording the log in
// summary.json.
#include "framework/train/calibration_data.h"

#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/train/trainer.h"

#include "tests/model/calibration_test_util.h"
#include "tests/testing/temp_dir.h"
#include "tests/train/idx_files.h"

namespace initforge::testing {
namespace {

using ::testing::HasSubstr;

// `n` images of 1 x 4 x 4; image i holds i + 0.01 * pixel, or N(0, 1).
Dataset small_dataset(std::int64_t n, bool random = false) {
  Tensor images = Tensor::empty(Shape{n, 1, 4, 4});
  if (random) {
    RandomSource::create(RngKind::Philox, 99)
        ->generator_for("images")
        ->normal(images.span(), 0.0, 1.0);
  } else {
    for (std::int64_t i = 0; i < n * 16; ++i) {
      images.data()[i] = static_cast<float>(i / 16) + 0.01f * (i % 16);
    }
  }
  return Dataset(std::move(images), std::vector<std::int32_t>(n, 0));
}

// 4 x (Linear 32 + ReLU) + Linear 10 on [16], lsuv everywhere, calibrating
// on `batch` training samples.
ModelConfig train_calibrated(std::int64_t batch) {
  std::string layers;
  for (int i = 1; i <= 4; ++i) {
    layers +=
        R"({"name": "fc)" + std::to_string(i) +
        R"(", "type": "Linear", "out_features": 32}, {"type": "ReLU", "name": "r)" +
        std::to_string(i) + R"("},)";
  }
  layers += R"({"name": "out", "type": "Linear", "out_features": 10})";
  return with_layers(
      "[16]",
      layers,
      ", " + kLsuvRules +
          R"(, "calibration": {"source": "train", "batch_size": )" +
          std::to_string(batch) +
          R"(}, "train": {"epochs": 1, "optimizer": {"type": "sgd", "lr": 0.1}})");
}

template <class F>
std::string message_of_shape_error(F f) {
  try {
    f();
  } catch (const ShapeError& e) {
    return e.what();
  }
  return "no error";
}

// The index of the dataset image a row of small_dataset() came from.
std::int64_t source_index(const Tensor& batch, std::int64_t row) {
  return static_cast<std::int64_t>(batch.data()[row * 16]);
}

TEST(CalibrationData, SeededPermutationPicksDistinctTrainingSamples) {
  const Dataset data = small_dataset(50);
  const ModelConfig config = train_calibrated(20);
  const Tensor a = calibration_batch(config, data, 3);
  EXPECT_EQ(a.shape(), (Shape{20, 16}));
  std::set<std::int64_t> seen;
  for (std::int64_t r = 0; r < 20; ++r) {
    const std::int64_t i = source_index(a, r);
    seen.insert(i);
    for (std::int64_t k = 0; k < 16; ++k) {  // the whole row is image i
      ASSERT_EQ(a.data()[r * 16 + k], data.images().data()[i * 16 + k]);
    }
  }
  EXPECT_EQ(seen.size(), 20u);
  EXPECT_TRUE(same_bits(a, calibration_batch(config, data, 3)));
  EXPECT_FALSE(same_bits(a, calibration_batch(config, data, 4)));
  // More requested than there are: all of them, permuted.
  const Tensor all = calibration_batch(train_calibrated(80), data, 3);
  EXPECT_EQ(all.shape(), (Shape{50, 16}));
}

TEST(CalibrationData, ImagesThatDoNotFitTheInputAreAConfigError) {
  const ModelConfig config = deep_mlp(1, "");  // input [32]
  EXPECT_EQ(
      config_error([&] { calibration_batch(config, small_dataset(5), 1); }),
      "/input|t.json: /input: expected one 4x4 image per sample (16 values) "
      "to calibrate on the training data (calibration.source \"train\"); got "
      "[32]");
}

TEST(CalibrationData, ModelRefusesToCalibrateOnTrainingDataItWasNotGiven) {
  const auto model = built(train_calibrated(64));
  ASSERT_TRUE(model->needs_training_batch());
  try {
    model->initialize(RandomSource::create(RngKind::Philox, 1));
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr("t.json: /calibration/source: the model calibrates on "
                  "training data, but Model::initialize was given no "
                  "calibration batch"));
  }
  const Tensor wrong = Tensor::zeros(Shape{4, 15});
  EXPECT_THAT(
      message_of_shape_error([&] {
        model->initialize(
            RandomSource::create(RngKind::Philox, 1), false, wrong.view());
      }),
      HasSubstr("expected a calibration batch [N, 16] (N >= 1 samples of the "
                "input); got [4, 15]"));
}

TEST(CalibrationData, LsuvReachesUnitVarianceOnTheTrainingBatch) {
  const auto model = built(train_calibrated(128));
  const Tensor batch =
      calibration_batch(model->config(), small_dataset(300, true), 1);
  model->initialize(
      RandomSource::create(RngKind::Philox, 1), true, batch.view());
  EXPECT_EQ(model->calibration_log().size(), 5u);
  model->prepare(128, Phase::Inference);
  model->forward(batch.view());
  for (std::size_t i = 0; i < model->graph().nodes().size(); i += 2) {
    SCOPED_TRACE(model->graph().nodes()[i].name);
    EXPECT_NEAR(variance(model->node_output(i).span()), 1.0, 0.1);
  }
}

TEST(CalibrationData, LoadCalibrationBatchReadsOnlyWhenNeeded) {
  EXPECT_FALSE(
      load_calibration_batch(*built(deep_mlp(1, kLsuvRules)), 1).has_value());
  const TempDir dir;
  write_split(dir.path(), "train", 40, 40);
  const auto model = built(with_layers(
      "[1, 28, 28]",
      R"({"name": "flatten", "type": "Flatten"},
         {"name": "fc", "type": "Linear", "out_features": 4,
          "init": {"weight": {"scheme": "lsuv"}}})",
      R"(, "calibration": {"source": "train", "batch_size": 16},
         "train": {"dataset": {"dir": ")" +
          dir.path().string() + R"(", "train_subset": 30}, "epochs": 1,
                   "optimizer": {"type": "sgd", "lr": 0.1}})"));
  const auto batch = load_calibration_batch(*model, 1);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->shape(), (Shape{16, 1, 28, 28}));
}

TEST(CalibrationData, TrainerCalibratesOnItsDataAndRecordsTheLog) {
  const TempDir dir;
  write_split(dir.path(), "train", 120, 120);
  write_split(dir.path(), "t10k", 40, 40);
  const ModelConfig config = with_layers(
      "[1, 28, 28]",
      R"({"name": "flatten", "type": "Flatten"},
         {"name": "fc1", "type": "Linear", "out_features": 16},
         {"name": "relu", "type": "ReLU"},
         {"name": "fc2", "type": "Linear", "out_features": 10})",
      R"(, "post_init": [{"pattern": "Linear.weight", "scheme": "lsuv"}],
         "calibration": {"source": "train", "batch_size": 64},
         "train": {"dataset": {"dir": ")" +
          dir.path().string() + R"("}, "epochs": 1, "batch_size": 60,
                   "eval_batch_size": 40, "probe_batch": 32,
                   "optimizer": {"type": "sgd", "lr": 0.01}})");
  TrainOptions options;
  options.run_dir = dir / "run";
  options.check_finite = true;
  TrainObserver observer;
  const TrainResult result =
      train(config, builtin_registry(), options, observer);
  EXPECT_EQ(result.epochs.size(), 1u);
  const auto summary =
      nlohmann::json::parse(read_raw(options.run_dir / "summary.json"));
  const auto& log = summary.at("calibration");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_THAT(
      log[0].get<std::string>(), HasSubstr("fc1.weight: lsuv: output var "));
  EXPECT_THAT(log[1].get<std::string>(), HasSubstr("fc2.weight: lsuv: "));
}

}  // namespace
}  // namespace initforge::testing
