// SPDX-License-Identifier: Apache-2.0
#include "framework/train/trainer.h"

#include "framework/core/error_text.h"
#include "framework/train/training_run.h"

namespace initforge {

TrainingDiverged::~TrainingDiverged() = default;
TrainObserver::~TrainObserver() = default;
void TrainObserver::on_start(std::int64_t, std::int64_t) {}
void TrainObserver::on_step(const StepProgress&) {}
void TrainObserver::on_epoch(const EpochMetrics&) {}
void TrainObserver::on_probe(const ProbeStats&) {}
void TrainObserver::on_checkpoint(const std::filesystem::path&) {}
void TrainObserver::on_warning(const std::string&) {}

TrainResult train(
    const ModelConfig& config,
    const Registry& registry,
    const TrainOptions& options,
    TrainObserver& observer) {
  if (!config.train) {
    throw ConfigError(
        config.file,
        "",
        "no \"train\" section: training needs one (epochs, optimizer, ...; "
        "see configs/README.md)");
  }
  if (options.run_dir.empty()) {
    throw UsageError(
        "train: " + expected_got("a run directory", "an empty path"));
  }
  TrainingRun run(config, registry, options, observer);
  return run.execute();
}

}  // namespace initforge
