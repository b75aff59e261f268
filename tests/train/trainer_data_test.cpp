// SPDX-License-Identifier: Apache-2.0
// The trainer on the other data sources: CIFAR-10 batches with seeded
// augmentation (a killed and resumed run ends bit for bit where an
// uninterrupted one does; the augmentation really changes the batches),
// npy arrays with the model's own classes, and the config errors that only
// the data can reveal.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"

#include "tests/train/data_files.h"
#include "tests/train/trainer_test_util.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using testing::all_files;
using testing::checkpoint_tensors;
using testing::expect_same_metrics;
using ::testing::HasSubstr;
using testing::kRunFiles;
using testing::metrics_without_seconds;
using testing::read_raw;
using testing::Recorder;
using testing::run;
using testing::TempDir;
using testing::write_npy_file;

// 5 x 100 training records (8 batches of 64: the last one 52) and 256
// test records.
constexpr std::int64_t kSteps = 8;

const fs::path& cifar_dir() {
  static const TempDir dir;
  static const bool made = [] {
    testing::write_cifar_dir(dir.path(), 100, 256);
    return true;
  }();
  static_cast<void>(made);
  return dir.path();
}

const std::string kCifarCnn =
    R"({"name": "conv1", "type": "Conv2d", "out_channels": 4, "kernel_size": 3,
        "stride": 2},
       {"name": "relu1", "type": "ReLU"},
       {"name": "pool1", "type": "MaxPool2d", "kernel_size": 3},
       {"name": "flatten", "type": "Flatten"},
       {"name": "fc1", "type": "Linear", "out_features": 10})";
const std::string kAugment =
    R"({"random_crop": {"size": 32, "padding": 4}, "horizontal_flip": true})";

ModelConfig cifar_config(
    const std::string& augment, const std::string& extra = "") {
  const std::string text =
      R"({"name": "cifar", "seed": 5, "input": [3, 32, 32], "layers": [)" +
      kCifarCnn + R"(], "train": {"dataset": {"name": "cifar10", "dir": ")" +
      cifar_dir().string() + R"("}, )" +
      (augment.empty() ? "" : R"("augment": )" + augment + ", ") +
      R"("epochs": 2, "batch_size": 64, "eval_batch_size": 128,
          "probe_batch": 32,
          "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9})" +
      extra + "}}";
  return parse_config(text, "cifar.json", fs::current_path());
}

TEST(TrainerData, AugmentedCifarRunsResumeToTheUninterruptedBits) {
  const ModelConfig config = cifar_config(kAugment);
  const TempDir whole, whole_every3, boundary, mid;
  const TrainResult expected = run(config, whole.path());

  // Killed after epoch 1's last step (resumes from the initial checkpoint,
  // so epoch 1's draws are made again), then inside epoch 2.
  EXPECT_TRUE(run(config, boundary.path(), false, kSteps).stopped_early);
  EXPECT_TRUE(run(config, boundary.path(), true, kSteps + 3).stopped_early);
  const TrainResult resumed = run(config, boundary.path(), true);

  // Mid-epoch checkpoints every 3 steps: killed after global step 13, it
  // resumes from step 12 (epoch 2, step 4) with the epoch's draws redone.
  const ModelConfig every3 =
      cifar_config(kAugment, R"(, "checkpoint_every": 3)");
  const TrainResult whole3 = run(every3, whole_every3.path());
  EXPECT_TRUE(run(every3, mid.path(), false, kSteps + 5).stopped_early);
  Recorder recorder;
  const TrainResult resumed_mid = run(every3, mid.path(), true, 0, &recorder);
  EXPECT_EQ(recorder.steps, kSteps - 4);

  expect_same_metrics(resumed.epochs, expected.epochs);
  expect_same_metrics(resumed_mid.epochs, expected.epochs);
  expect_same_metrics(whole3.epochs, expected.epochs);
  for (const TempDir* dir : {&boundary, &mid}) {
    SCOPED_TRACE(dir->path().string());
    EXPECT_EQ(
        read_raw(*dir / "weights.safetensors"),
        read_raw(whole / "weights.safetensors"));
    EXPECT_EQ(
        checkpoint_tensors(dir->path()), checkpoint_tensors(whole.path()));
    EXPECT_EQ(
        metrics_without_seconds(dir->path()),
        metrics_without_seconds(whole.path()));
    EXPECT_EQ(all_files(dir->path()), kRunFiles);
  }
}

TEST(TrainerData, AugmentationChangesTheBatchesAndANoOpOneDoesNot) {
  const TempDir plain, augmented, flip_only, no_op;
  run(cifar_config(""), plain.path());
  run(cifar_config(kAugment), augmented.path());
  run(cifar_config(R"({"horizontal_flip": true})"), flip_only.path());
  // Padding 0 at the image's size crops the whole image: the identity.
  run(cifar_config(R"({"random_crop": {"padding": 0}})"), no_op.path());
  const std::string weights = read_raw(plain / "weights.safetensors");
  EXPECT_NE(read_raw(augmented / "weights.safetensors"), weights);
  EXPECT_NE(read_raw(flip_only / "weights.safetensors"), weights);
  EXPECT_NE(
      read_raw(flip_only / "weights.safetensors"),
      read_raw(augmented / "weights.safetensors"));
  EXPECT_EQ(read_raw(no_op / "weights.safetensors"), weights);
}

std::string config_error(const ModelConfig& config, const fs::path& dir) {
  try {
    run(config, dir);
  } catch (const ConfigError& e) {
    return e.pointer() + "|" + e.what();
  }
  return "no ConfigError";
}

TEST(TrainerData, AugmentationThatDoesNotFitTheImagesIsAConfigError) {
  const TempDir dir;
  EXPECT_THAT(
      config_error(
          cifar_config(R"({"random_crop": {"size": [28, 32], "padding": 2}})"),
          dir / "a"),
      HasSubstr("/train/augment/random_crop/size|cifar.json: "
                "/train/augment/random_crop/size: expected the images' own "
                "size [32, 32] (the crop keeps the model's input shape and "
                "the test split is evaluated uncropped); got [28, 32]"));
}

TEST(TrainerData, CifarNeedsTenOutputs) {
  const TempDir dir;
  std::string layers = kCifarCnn;
  layers.replace(
      layers.find("\"out_features\": 10"), 18, "\"out_features\": 5");
  const std::string text =
      R"({"name": "c", "input": [3, 32, 32], "layers": [)" + layers +
      R"(], "train": {"dataset": {"name": "cifar10", "dir": ")" +
      cifar_dir().string() +
      R"("}, "epochs": 1, "optimizer": {"type": "sgd", "lr": 0.1}}})";
  EXPECT_THAT(
      config_error(parse_config(text, "c.json", "."), dir.path()),
      HasSubstr("expected the model output to be [10] per sample (one value "
                "per class) to train on the dataset; got [5]"));
}

// npy: 300 training and 100 test feature vectors of 6 float32 values, in 3
// classes that the first three features tell apart.
class TrainerNpy : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [name, n] :
         {std::pair{"train", 300}, std::pair{"test", 100}}) {
      std::vector<float> x(static_cast<std::size_t>(n) * 6);
      std::vector<std::int64_t> y(static_cast<std::size_t>(n));
      for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] = static_cast<std::int64_t>((i * 7) % 3);
        for (std::size_t j = 0; j < 6; ++j) {
          x[i * 6 + j] = (j == static_cast<std::size_t>(y[i]) ? 2.0f : 0.0f) +
                         0.1f * static_cast<float>((i * 13 + j * 5) % 7);
        }
      }
      write_npy_file(dir_ / (std::string(name) + "_x.npy"), "<f4", {n, 6}, x);
      write_npy_file(dir_ / (std::string(name) + "_y.npy"), "<i8", {n}, y);
    }
  }
  ModelConfig config(
      const std::string& input = "[6]",
      std::int64_t classes = 3,
      const std::string& extra = "") const {
    const std::string text =
        R"({"name": "npy", "seed": 2, "input": )" + input +
        R"(, "layers": [{"name": "flatten", "type": "Flatten"},
           {"name": "fc1", "type": "Linear", "out_features": )" +
        std::to_string(classes) + R"(}],
         "train": {"dataset": {"name": "npy",
           "train": {"x": "train_x.npy", "y": "train_y.npy"},
           "test": {"x": "test_x.npy", "y": "test_y.npy"},
           "normalize": {"mean": [0.5], "std": [1.0]}}, )" +
        extra + R"("epochs": 3, "batch_size": 32, "probe_batch": 16,
           "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}}})";
    // Relative paths start at the config's directory.
    return parse_config(text, (dir_ / "npy.json").string(), dir_.path());
  }
  TempDir dir_;
};

TEST_F(TrainerNpy, TrainsOnTheModelsOwnClassesAndLearns) {
  const TempDir run_dir;
  const TrainResult r = run(config(), run_dir.path());
  ASSERT_EQ(r.epochs.size(), 3u);
  // Separable by construction: far above the 1/3 of guessing.
  EXPECT_GT(r.epochs.back().test_acc, 0.9);
  const auto summary =
      nlohmann::json::parse(read_raw(run_dir / "summary.json"));
  EXPECT_EQ(summary.at("dataset").at("train_samples"), 300);
  EXPECT_EQ(summary.at("dataset").at("dir"), dir_.path().string());
}

TEST_F(TrainerNpy, SampleShapeOtherThanTheInputIsAConfigErrorNamingTheFile) {
  const TempDir run_dir;
  EXPECT_THAT(
      config_error(config("[2, 3]"), run_dir.path()),
      HasSubstr(
          "/input|" + (dir_ / "npy.json").string() +
          ": /input: expected the sample shape of " +
          (dir_ / "train_x.npy").string() +
          ", [6], to train on it; got [2, 3]"));
}

TEST_F(TrainerNpy, LabelsBeyondTheModelsClassesNameTheFile) {
  const TempDir run_dir;
  try {
    run(config("[6]", 2), run_dir.path());
    FAIL() << "labels 0..2 accepted for 2 classes";
  } catch (const IoError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr(
            (dir_ / "train_y.npy").string() +
            ": label 2 at index 2 is out of range; expected 0..1 (the "
            "model's output has 2 classes)"));
  }
}

TEST_F(TrainerNpy, AugmentingFeatureVectorsIsAConfigError) {
  const TempDir run_dir;
  EXPECT_THAT(
      config_error(
          config("[6]", 3, R"("augment": {"horizontal_flip": true}, )"),
          run_dir.path()),
      HasSubstr(
          "/train/augment|" + (dir_ / "npy.json").string() +
          ": /train/augment: random_crop and horizontal_flip need "
          "image samples [C, H, W]; the training samples are [6]"));
}

}  // namespace
}  // namespace initforge
