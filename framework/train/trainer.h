// SPDX-License-Identifier: Apache-2.0
#pragma once

// Trains one config's model (its `train` section) on Fashion-MNIST/MNIST:
// epochs of seeded batches, loss, backward, optimizer step, evaluation,
// probe statistics and atomic checkpoints into a run directory. Printing
// belongs to the caller, through TrainObserver.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/export.h"
#include "framework/io/train_report_json.h"
#include "framework/model/config.h"
#include "framework/plugin/registry.h"

namespace initforge {

/// The loss became NaN or Inf: names the epoch and step (the run directory
/// keeps the metrics and the last checkpoint before it).
class INITFORGE_API TrainingDiverged : public Error {
 public:
  using Error::Error;
  ~TrainingDiverged() override;
};

// EpochMetrics, LayerProbe, ParamProbe and ProbeStats live in
// framework/io/train_report_json.h (summary.json and checkpoints write them).

/// Progress inside an epoch, reported after every optimizer step.
struct StepProgress {
  std::int64_t epoch = 0;  // 1-based
  std::int64_t epochs = 0;
  std::int64_t step = 0;  // 1-based within the epoch
  std::int64_t steps = 0;
  double loss = 0.0;  // running mean over the epoch so far
  double samples_per_second = 0.0;
};

/// Callbacks for the CLI (progress bar, lines); all optional.
class INITFORGE_API TrainObserver {
 public:
  virtual ~TrainObserver();
  virtual void on_start(std::int64_t first_epoch, std::int64_t epochs);
  virtual void on_step(const StepProgress& progress);
  virtual void on_epoch(const EpochMetrics& metrics);
  virtual void on_probe(const ProbeStats& stats);
  virtual void on_checkpoint(const std::filesystem::path& file);
  /// Something the user should know that does not stop the run, e.g. a
  /// resume falling back to the previous checkpoint; one line.
  virtual void on_warning(const std::string& message);
};

struct TrainOptions {
  /// Where metrics.csv, summary.json, probes.csv and checkpoint/ go;
  /// created if missing.
  std::filesystem::path run_dir;
  /// Continue from run_dir's checkpoint (the previous one when the latest
  /// is missing or corrupt); the result equals an uninterrupted run's bit
  /// for bit.
  bool resume = false;
  /// Stop after this many optimizer steps in total (tests simulate a
  /// kill); 0: no limit. The last checkpoint stays as it was.
  std::int64_t stop_after_steps = 0;
  /// A NaN or Inf in any initialized parameter is a PluginError naming
  /// the parameter, the scheme and its library.
  bool check_finite = false;
};

/// Everything a finished (or resumed and finished) run produced.
struct TrainResult {
  std::vector<EpochMetrics> epochs;  // all epochs, also those before resume
  std::vector<ProbeStats> probes;    // epoch 0 (init) then one per epoch
  std::filesystem::path weights;     // final .safetensors
  bool stopped_early = false;        // stop_after_steps reached
};

/// Builds the model of `config` (which must have a `train` section),
/// initializes it from config.seed / config.rng, loads the dataset and
/// trains. Throws ConfigError without a train section, IoError for data
/// or run-directory problems, TrainingDiverged on a non-finite loss.
INITFORGE_API TrainResult train(
    const ModelConfig& config,
    const Registry& registry,
    const TrainOptions& options,
    TrainObserver& observer);

}  // namespace initforge
