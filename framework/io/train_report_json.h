// SPDX-License-Identifier: Apache-2.0
#pragma once

// Plain structs of a training run (metrics rows, probe statistics, wall
// times, where a run stands) and their JSON text: summary.json and the
// metadata of a checkpoint, and summary.json read back. framework/train
// fills them; only this file's implementation knows JSON.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "framework/core/export.h"

namespace initforge {

/// One row of metrics.csv. `epoch` counts from 1.
struct EpochMetrics {
  std::int64_t epoch = 0;
  double train_loss = 0.0;  // mean over the epoch's samples
  double train_acc = 0.0;
  double test_loss = 0.0;
  double test_acc = 0.0;
  double seconds = 0.0;  // wall time of the epoch (training + evaluation)
  double lr = 0.0;       // the epoch's learning rate
};

/// One layer on the probe batch (training-phase forward, then backward of
/// the loss): std of its output and of the loss gradient w.r.t. it.
struct LayerProbe {
  std::string layer;  // node name
  std::string type;
  double activation_std = 0.0;
  double activation_mean = 0.0;
  double grad_std = 0.0;
};

/// One parameter on the probe batch: its value std and gradient std.
struct ParamProbe {
  std::string path;  // "fc1.weight"
  double value_std = 0.0;
  double grad_std = 0.0;
};

/// Probe statistics at initialization (epoch 0) or after epoch k.
struct ProbeStats {
  std::int64_t epoch = 0;
  double loss = 0.0;
  std::vector<LayerProbe> layers;
  std::vector<ParamProbe> params;
};

/// Wall times of one epoch, in seconds.
struct EpochTimes {
  std::int64_t epoch = 0;
  double train = 0.0;  // optimizer steps (all sessions of a resumed epoch)
  double eval = 0.0;   // test-set evaluation
  double probe = 0.0;  // probe statistics
};

/// Where a run stands: a checkpoint's metadata. Doubles round-trip exactly
/// (a resumed run continues with the same bits).
struct TrainState {
  std::string config_hash;  // of ModelConfig::json
  std::string model;        // the config's name, for messages
  std::int64_t epochs_done = 0;
  std::int64_t step = 0;  // optimizer steps done in epoch epochs_done + 1
  std::int64_t global_step = 0;
  // Running sums of the unfinished epoch.
  double loss_sum = 0.0;  // sum over samples of the per-sample loss
  std::int64_t correct = 0;
  std::int64_t samples = 0;
  double epoch_train_seconds = 0.0;
  // Over all sessions so far.
  double total_seconds = 0.0;
  double data_seconds = 0.0;
  std::int64_t sessions = 0;  // 1 + number of resumes
  std::vector<EpochMetrics> metrics;
  std::vector<EpochTimes> times;
  std::vector<ProbeStats> probes;
};

/// Versions summary.json records.
struct TrainVersions {
  std::string initforge;
  std::string onednn;
  std::string compiler;
};

/// Everything summary.json records.
struct TrainSummary {
  std::string config_json;  // the merged config, embedded as an object
  std::string config_file;
  std::string rng;
  std::uint64_t seed = 0;
  TrainVersions versions;
  int threads = 0;
  std::string dataset_dir;
  std::int64_t train_samples = 0;
  std::int64_t test_samples = 0;
  std::int64_t epochs = 0;  // planned
  std::int64_t steps_per_epoch = 0;
  std::string status;  // "running", "finished" or "diverged"
  std::string error;   // the divergence message; "" otherwise
  TrainState state;
  // Model::calibration_log(): what data-dependent schemes (LSUV) reported.
  std::vector<std::string> calibration;
};

/// summary.json: pretty-printed, newline-terminated; non-finite numbers
/// are null.
INITFORGE_API std::string train_summary_json(const TrainSummary& summary);

/// What `initforge train --resume` needs from a run's summary.json.
struct RecordedSummary {
  std::string status;       // "running", "finished" or "diverged"
  std::string error;        // the divergence message; "" otherwise
  std::string config_json;  // the recorded config, compact with sorted keys
  std::vector<EpochMetrics> metrics;  // null (non-finite) and absent lr: NaN
};

/// Parses summary.json text (train_summary_json's); IoError "`where`: not a
/// training summary of initforge train: ..." when it is not one.
INITFORGE_API RecordedSummary
parse_train_summary(std::string_view text, const std::string& where);

/// Compact JSON of `state` for a checkpoint's "__metadata__"; non-finite
/// numbers are written as the strings "nan", "inf", "-inf".
INITFORGE_API std::string train_state_json(const TrainState& state);

/// Parses train_state_json's text; IoError "`where`: ..." when it is not.
INITFORGE_API TrainState
parse_train_state(std::string_view text, const std::string& where);

}  // namespace initforge
