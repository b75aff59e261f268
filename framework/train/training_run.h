// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_train: one call of train(). The model, data,
// optimizer, reusable batch buffers, and where the run stands (a
// TrainState: what a checkpoint records and a resume restores).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/tensor.h"
#include "framework/io/train_report_json.h"
#include "framework/model/builder.h"
#include "framework/train/augment.h"
#include "framework/train/dataset.h"
#include "framework/train/loss_head.h"
#include "framework/train/lr_schedule.h"
#include "framework/train/optimizer.h"
#include "framework/train/setup.h"
#include "framework/train/trainer.h"

namespace initforge {

using TrainClock = std::chrono::steady_clock;

/// Wall seconds since `t`.
double seconds_since(TrainClock::time_point t);

/// The first n rows of a batch buffer as a model input [n, ...sample].
ConstTensorView batch_rows(
    const Tensor& images, std::int64_t n, const Shape& sample);

/// Builds everything in its constructor (config checks first, then the run
/// directory, then the data); execute() trains.
class TrainingRun {
 public:
  TrainingRun(
      const ModelConfig& config,
      const Registry& registry,
      const TrainOptions& options,
      TrainObserver& observer);
  TrainResult execute();

 private:
  void start_fresh();
  void resume();
  bool train_epoch(std::int64_t epoch);  // false: stop_after_steps reached
  void finish_epoch(std::int64_t epoch);
  std::pair<double, double> evaluate();  // test loss and accuracy
  void probe(std::int64_t epoch);
  void checkpoint();
  void write_text_files(const std::string& status, const std::string& error);
  [[noreturn]] void diverge(
      std::int64_t epoch, std::int64_t steps, double loss);

  const ModelConfig& config_;
  const TrainConfig& tc_;
  const TrainOptions& options_;
  TrainObserver& observer_;
  TrainClock::time_point session_start_ = TrainClock::now();
  std::unique_ptr<Model> model_;
  std::unique_ptr<Optimizer> optimizer_;
  LrSchedule schedule_;
  std::string hash_;
  double data_seconds_ = 0.0;
  std::int64_t classes_;  // the model's outputs, checked against the data
  TrainData data_;
  Augmenter augment_;
  Batcher train_batches_;
  Batcher test_batches_;
  std::int64_t probe_n_;
  Tensor images_, test_images_;
  std::vector<std::int32_t> labels_, test_labels_;
  LossHead head_;
  std::vector<ParamSlot> slots_;
  std::vector<std::string> param_types_;
  TrainState state_;
  double earlier_seconds_ = 0.0;  // total wall time of earlier sessions
  // checkpoint/state.safetensors holds a checkpoint this run wrote or
  // loaded; only then does the next checkpoint keep it as the previous one.
  bool latest_checkpoint_good_ = false;
};

}  // namespace initforge
