// SPDX-License-Identifier: Apache-2.0
// The trainer end to end on small subsets: determinism, kill-and-resume
// bit for bit (SGD momentum, AdamW, BatchNorm running statistics), the
// probe leaving training untouched, divergence, and short runs that learn.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"

#include "tests/train/trainer_test_util.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using testing::all_files;
using testing::checkpoint_tensors;
using testing::expect_same_metrics;
using ::testing::HasSubstr;
using testing::have_real_data;
using testing::kAdamW;
using testing::kBatchNormCnn;
using testing::kMlp;
using testing::kRunFiles;
using testing::kSgd;
using testing::kSteps;
using testing::make_config;
using ::testing::MatchesRegex;
using testing::metrics_without_seconds;
using testing::Recorder;
using testing::run;
using testing::TempDir;

TEST(Trainer, SameConfigAndSeedTwiceGiveIdenticalRuns) {
  const ModelConfig config = make_config(kMlp, kSgd);
  const TempDir a, b;
  const TrainResult first = run(config, a.path());
  const TrainResult second = run(config, b.path());
  EXPECT_FALSE(first.stopped_early);
  expect_same_metrics(first.epochs, second.epochs);
  EXPECT_EQ(
      metrics_without_seconds(a.path()), metrics_without_seconds(b.path()));
  EXPECT_EQ(
      testing::read_raw(a / "weights.safetensors"),
      testing::read_raw(b / "weights.safetensors"));
  EXPECT_EQ(first.weights, a / "weights.safetensors");
  // Another seed trains another model.
  ModelConfig reseeded = make_config(kMlp, kSgd);
  reseeded.seed = 12;
  const TempDir c;
  run(reseeded, c.path());
  EXPECT_NE(
      testing::read_raw(a / "weights.safetensors"),
      testing::read_raw(c / "weights.safetensors"));
}

struct ResumeCase {
  std::string name;
  std::string layers;
  std::string optimizer;
};

void PrintTo(const ResumeCase& c, std::ostream* os) {
  *os << c.name;
}

class TrainerResume : public ::testing::TestWithParam<ResumeCase> {};

TEST_P(TrainerResume, KilledRunsResumeToTheUninterruptedBits) {
  const ResumeCase& c = GetParam();
  const ModelConfig config = make_config(c.layers, c.optimizer);
  const TempDir whole, boundary, mid;
  const TrainResult expected = run(config, whole.path());

  // Killed after epoch 1's last step, before its checkpoint (resumes from
  // the initial one), then inside epoch 2 (resumes from epoch 1's end).
  EXPECT_TRUE(run(config, boundary.path(), false, kSteps).stopped_early);
  EXPECT_FALSE(fs::exists(boundary / "weights.safetensors"));
  EXPECT_TRUE(run(config, boundary.path(), true, kSteps + 3).stopped_early);
  Recorder recorder;
  const TrainResult resumed = run(config, boundary.path(), true, 0, &recorder);
  EXPECT_EQ(recorder.first_epoch, 2);
  EXPECT_EQ(recorder.steps, kSteps);  // all of epoch 2 again

  // Mid-epoch checkpoints every 3 steps: killed after global step 13, it
  // resumes from step 12 (epoch 2, step 4).
  const ModelConfig every3 =
      make_config(c.layers, c.optimizer, R"(, "checkpoint_every": 3)");
  EXPECT_TRUE(run(every3, mid.path(), false, kSteps + 5).stopped_early);
  Recorder mid_recorder;
  const TrainResult resumed_mid =
      run(every3, mid.path(), true, 0, &mid_recorder);
  EXPECT_EQ(mid_recorder.steps, kSteps - 4);

  expect_same_metrics(resumed.epochs, expected.epochs);
  expect_same_metrics(resumed_mid.epochs, expected.epochs);
  for (const TempDir* dir : {&boundary, &mid}) {
    SCOPED_TRACE(dir->path().string());
    EXPECT_EQ(
        testing::read_raw(*dir / "weights.safetensors"),
        testing::read_raw(whole / "weights.safetensors"));
    EXPECT_EQ(
        checkpoint_tensors(dir->path()), checkpoint_tensors(whole.path()));
    EXPECT_EQ(
        metrics_without_seconds(dir->path()),
        metrics_without_seconds(whole.path()));
    EXPECT_EQ(all_files(dir->path()), kRunFiles);
  }
  ASSERT_EQ(resumed.probes.size(), 3u);
  EXPECT_EQ(resumed.probes[0].loss, expected.probes[0].loss);
}

INSTANTIATE_TEST_SUITE_P(
    Trainer,
    TrainerResume,
    ::testing::Values(
        ResumeCase{"SgdMomentumMlp", kMlp, kSgd},
        ResumeCase{"AdamWMlp", kMlp, kAdamW},
        ResumeCase{"BatchNormCnn", kBatchNormCnn, kSgd},
        ResumeCase{"DropoutMlp", testing::kDropoutMlp, kSgd},
        ResumeCase{"AlphaDropoutMlp", testing::kAlphaDropoutMlp, kAdamW}),
    [](const auto& test) { return test.param.name; });

TEST(Trainer, ProbeBatchSizeDoesNotChangeTraining) {
  // The probe runs training-phase forwards (BatchNorm updates its running
  // statistics) and a backward: none of it may leak into the run.
  const TempDir a, b;
  run(make_config(kBatchNormCnn, kSgd), a.path());
  run(make_config(kBatchNormCnn, kSgd, "", 2, 16), b.path());
  EXPECT_EQ(
      testing::read_raw(a / "weights.safetensors"),
      testing::read_raw(b / "weights.safetensors"));
  EXPECT_EQ(
      metrics_without_seconds(a.path()), metrics_without_seconds(b.path()));
}

TEST(Trainer, DropoutActsInTrainingOnly) {
  // p = 0 trains exactly what the model without the layer trains (it has no
  // parameters, and evaluation is the identity); p = 0.5 another model.
  std::string p0 = testing::kDropoutMlp;
  p0.replace(p0.find("0.5"), 3, "0.0");
  const TempDir without, zero, half;
  run(make_config(kMlp, kSgd), without.path());
  run(make_config(p0, kSgd), zero.path());
  run(make_config(testing::kDropoutMlp, kSgd), half.path());
  EXPECT_EQ(
      testing::read_raw(zero / "weights.safetensors"),
      testing::read_raw(without / "weights.safetensors"));
  EXPECT_EQ(
      metrics_without_seconds(zero.path()),
      metrics_without_seconds(without.path()));
  EXPECT_NE(
      testing::read_raw(half / "weights.safetensors"),
      testing::read_raw(without / "weights.safetensors"));
}

TEST(Trainer, DropoutMasksFollowTheGlobalStepNotTheStepInTheEpoch) {
  // lr 0 and no shuffling: both epochs see the same weights and batches, so
  // their training losses differ only if the masks do.
  const std::string frozen = R"({"type": "sgd", "lr": 0})";
  const std::string in_order = R"(, "shuffle": false)";
  std::string p0 = testing::kDropoutMlp;
  p0.replace(p0.find("0.5"), 3, "0.0");
  const TrainResult without =
      run(make_config(p0, frozen, in_order), TempDir().path());
  ASSERT_EQ(without.epochs.size(), 2u);
  EXPECT_EQ(without.epochs[0].train_loss, without.epochs[1].train_loss);
  const TrainResult with = run(
      make_config(testing::kDropoutMlp, frozen, in_order), TempDir().path());
  ASSERT_EQ(with.epochs.size(), 2u);
  EXPECT_NE(with.epochs[0].train_loss, with.epochs[1].train_loss);
  // Evaluation does not drop: the test loss is the frozen model's.
  EXPECT_EQ(with.epochs[0].test_loss, without.epochs[0].test_loss);
}

TEST(Trainer, NonFiniteLossThrowsNamingTheStepAndKeepsTheCheckpoint) {
  // Epoch 1 trains normally; StepLR multiplies the lr by 1e12 for epoch 2.
  const ModelConfig config = make_config(
      kMlp,
      kSgd,
      R"(, "lr_schedule": {"type": "step", "step_size": 1, "gamma": 1e12})",
      3);
  const TempDir dir;
  Recorder recorder;
  recorder.copy_checkpoints = true;
  try {
    run(config, dir.path(), false, 0, &recorder);
    FAIL() << "expected TrainingDiverged";
  } catch (const TrainingDiverged& e) {
    EXPECT_THAT(
        e.what(),
        MatchesRegex(
            ".*tiny.json: training diverged: non-finite loss \\((nan|inf)\\) "
            "at epoch 2, step [1-8] of 8 \\(global step (9|1[0-6])\\).*"));
  }
  EXPECT_EQ(recorder.epochs, 1);
  EXPECT_EQ(
      testing::read_raw(dir / "checkpoint/state.safetensors"),
      recorder.last_checkpoint);
  const std::string metrics = testing::read_raw(dir / "metrics.csv");
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 2);
  const auto summary =
      nlohmann::json::parse(testing::read_raw(dir / "summary.json"));
  EXPECT_EQ(summary.at("status"), "diverged");
  EXPECT_EQ(
      all_files(dir.path()),
      std::vector<std::string>(
          {"checkpoint/state.prev.safetensors",
           "checkpoint/state.safetensors",
           "metrics.csv",
           "probes.csv",
           "summary.json"}));
}

TEST(Trainer, TrainLossOfAShortRunDecreases) {
  if (!have_real_data()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  const TrainResult r = run(make_config(kMlp, kSgd, "", 3), TempDir().path());
  ASSERT_EQ(r.epochs.size(), 3u);
  EXPECT_LT(r.epochs[0].train_loss, r.probes[0].loss);
  EXPECT_LT(r.epochs[1].train_loss, r.epochs[0].train_loss);
  EXPECT_LT(r.epochs[2].train_loss, r.epochs[1].train_loss);
}

TEST(Trainer, MseLossTrainsToo) {
  if (!have_real_data()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  const TempDir dir;
  const TrainResult r =
      run(make_config(kMlp, kSgd, R"(, "loss": "mse")", 2), dir.path());
  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_LT(r.epochs[1].train_loss, r.epochs[0].train_loss);
  EXPECT_LT(r.epochs[1].train_loss, r.probes[0].loss);
}

TEST(Trainer, ShortRealRunIsFarAboveChance) {
  if (!have_real_data()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  // The installed dataset itself: 2000 training images, 1000 test images,
  // two epochs. Chance is 0.1; on 1000 test samples a chance-level model's
  // accuracy has std sqrt(0.1 * 0.9 / 1000) = 0.0095, so 0.6 is 50 sigma
  // above it, while this MLP reaches about 0.75.
  const std::string text =
      R"({"name": "real", "seed": 3, "input": [1, 28, 28], "layers": [)" +
      kMlp +
      R"(], "train": {"dataset": {"train_subset": 2000, "test_subset": 1000},
      "epochs": 2, "batch_size": 64, "probe_batch": 64,
      "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}}})";
  const ModelConfig config =
      parse_config(text, "real.json", fs::current_path());
  const TempDir dir;
  const TrainResult r = run(config, dir.path());
  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_GT(r.epochs[1].test_acc, 0.6);
  EXPECT_GT(r.epochs[1].train_acc, 0.6);
}

}  // namespace
}  // namespace initforge
