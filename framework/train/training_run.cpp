// SPDX-License-Identifier: Apache-2.0
#include "framework/train/training_run.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include <omp.h>

#include "framework/io/atomic_file.h"
#include "framework/io/text_file.h"
#include "framework/model/weights_file.h"
#include "framework/train/calibration_data.h"
#include "framework/train/checkpoint.h"
#include "framework/train/run_files.h"

namespace initforge {

namespace fs = std::filesystem;

double seconds_since(TrainClock::time_point t) {
  return std::chrono::duration<double>(TrainClock::now() - t).count();
}

ConstTensorView batch_rows(
    const Tensor& images, std::int64_t n, const Shape& sample) {
  const auto count = static_cast<std::size_t>(n * sample.numel());
  return {images.span().first(count), batched(n, sample)};
}

TrainingRun::TrainingRun(
    const ModelConfig& config,
    const Registry& registry,
    const TrainOptions& options,
    TrainObserver& observer)
    : config_(config),
      tc_(*config.train),
      options_(options),
      observer_(observer),
      model_(Model::build(config, registry, tc_.batch_size)),
      optimizer_(make_optimizer(tc_.optimizer)),
      schedule_(make_schedule(tc_)),
      hash_(config_hash(config.json)),
      classes_(check_model_output(*model_, tc_.dataset)),
      data_([this] {
        // After the config checks of Model::build.
        check_eval_memory(*model_, tc_);
        make_directory(options_.run_dir);  // fails before the slow part
        const TrainClock::time_point start = TrainClock::now();
        TrainData data = load_train_data(tc_.dataset, classes_, config_.file);
        data_seconds_ = seconds_since(start);
        check_model_fits_data(*model_, tc_.dataset, data);
        return data;
      }()),
      augment_(make_augmenter(tc_, data_.train, config.seed, config.file)),
      train_batches_(
          data_.train,
          {.batch_size = tc_.batch_size,
           .shuffle = tc_.shuffle,
           .drop_last = tc_.drop_last,
           .seed = config.seed}),
      test_batches_(
          data_.test,
          {.batch_size = std::min(tc_.eval_batch_size, data_.test.size()),
           .shuffle = false}),
      probe_n_(std::min(tc_.probe_batch, data_.train.size())),
      labels_(static_cast<std::size_t>(tc_.batch_size)),
      head_(
          tc_.loss,
          std::max({tc_.batch_size, tc_.eval_batch_size, probe_n_}),
          classes_) {
  // The batch buffers have the dataset's image shape (Batcher's contract).
  const Shape sample = data_.train.sample_shape();
  images_ = Tensor::zeros(batched(tc_.batch_size, sample));
  const std::int64_t eval_batch =
      std::min(tc_.eval_batch_size, data_.test.size());
  test_images_ = Tensor::zeros(batched(eval_batch, data_.test.sample_shape()));
  test_labels_.resize(static_cast<std::size_t>(eval_batch));
  if (train_batches_.batches_per_epoch() == 0) {
    throw ConfigError(
        config.file,
        tc_.pointer + "/drop_last",
        "with batch_size " + std::to_string(tc_.batch_size) + " and " +
            std::to_string(data_.train.size()) +
            " training samples, drop_last leaves no batch to train on");
  }
}

TrainResult TrainingRun::execute() {
  // Data-dependent schemes calibrating on training data get their batch
  // here: the model library cannot read datasets.
  std::optional<Tensor> calibration;
  if (model_->needs_training_batch()) {
    calibration = calibration_batch(config_, data_.train, config_.seed);
  }
  model_->initialize(
      RandomSource::create(config_.rng, config_.seed),
      options_.check_finite,
      calibration
          ? std::optional<ConstTensorView>(std::as_const(*calibration).view())
          : std::nullopt);
  for (const PlannedParam& p : model_->plan().params) {
    param_types_.push_back(model_->graph().nodes()[p.node].type);
  }
  if (options_.resume) {
    resume();
  } else {
    start_fresh();
  }
  observer_.on_start(state_.epochs_done + 1, tc_.epochs);
  for (std::int64_t e = state_.epochs_done + 1; e <= tc_.epochs; ++e) {
    if (!train_epoch(e)) {
      return {state_.metrics, state_.probes, {}, /*stopped_early=*/true};
    }
    finish_epoch(e);
  }
  const fs::path weights = options_.run_dir / "weights.safetensors";
  model_->sync_buffers();
  save_weights(weights, *model_);
  write_text_files("finished", "");
  return {state_.metrics, state_.probes, weights, false};
}

void TrainingRun::start_fresh() {
  state_ = TrainState{};
  state_.config_hash = hash_;
  state_.model = config_.name;
  state_.sessions = 1;
  state_.data_seconds = data_seconds_;
  probe(0);
  checkpoint();
  write_text_files("running", "");
}

void TrainingRun::resume() {
  const fs::path& dir = options_.run_dir;
  // A killed session's temporary files: no later write reuses their names,
  // so they would pile up.
  for (const char* name :
       {"metrics.csv", "probes.csv", "summary.json", "weights.safetensors"}) {
    remove_abandoned_temporaries(dir / name);
  }
  remove_abandoned_temporaries(checkpoint_file(dir));
  remove_abandoned_temporaries(previous_checkpoint_file(dir));
  ResumePoint point = load_latest_checkpoint(
      dir,
      *model_,
      *optimizer_,
      hash_,
      {.epochs = tc_.epochs,
       .steps_per_epoch = train_batches_.batches_per_epoch()});
  state_ = std::move(point.state);
  if (!point.fallback.empty()) observer_.on_warning(point.fallback);
  // After a fallback the latest file is damaged or missing: it must not
  // replace the good previous one at the next checkpoint.
  latest_checkpoint_good_ = point.fallback.empty();
  earlier_seconds_ = state_.total_seconds;
  state_.data_seconds += data_seconds_;
  ++state_.sessions;
  // Hands the restored parameters and buffers to the layers.
  model_->prepare(probe_n_, Phase::Training);
  // The text files may be ahead of the checkpoint (a kill in between).
  write_text_files("running", "");
}

void TrainingRun::checkpoint() {
  state_.total_seconds = earlier_seconds_ + seconds_since(session_start_);
  const fs::path file = checkpoint_file(options_.run_dir);
  make_directory(file.parent_path());
  save_checkpoint(
      options_.run_dir,
      *model_,
      *optimizer_,
      state_,
      /*keep_previous=*/latest_checkpoint_good_);
  latest_checkpoint_good_ = true;
  observer_.on_checkpoint(file);
}

void TrainingRun::write_text_files(
    const std::string& status, const std::string& error) {
  state_.total_seconds = earlier_seconds_ + seconds_since(session_start_);
  const fs::path& dir = options_.run_dir;
  write_text_atomically(dir / "metrics.csv", metrics_csv(state_.metrics));
  write_text_atomically(
      dir / "probes.csv", probes_csv(state_.probes, param_types_));
  const TrainSummary summary{
      .config_json = config_.json,
      .config_file = config_.file,
      .rng = std::string(to_string(config_.rng)),
      .seed = config_.seed,
      .versions = build_versions(),
      .threads = omp_get_max_threads(),
      .dataset_dir = tc_.dataset.kind == DatasetKind::Npy
                         ? tc_.dataset.train_files.x.parent_path().string()
                         : tc_.dataset.dir.string(),
      .train_samples = data_.train.size(),
      .test_samples = data_.test.size(),
      .epochs = tc_.epochs,
      .steps_per_epoch = train_batches_.batches_per_epoch(),
      .status = status,
      .error = error,
      .state = state_,
      .calibration = model_->calibration_log()};
  write_text_atomically(dir / "summary.json", train_summary_json(summary));
}

void TrainingRun::diverge(std::int64_t epoch, std::int64_t steps, double loss) {
  const std::string value =
      std::isnan(loss) ? "nan" : (loss > 0 ? "inf" : "-inf");
  const std::string message =
      config_.file + ": training diverged: non-finite loss (" + value +
      ") at epoch " + std::to_string(epoch) + ", step " +
      std::to_string(state_.step + 1) + " of " + std::to_string(steps) +
      " (global step " + std::to_string(state_.global_step + 1) +
      "); the last checkpoint " + checkpoint_file(options_.run_dir).string() +
      " and the metrics of the finished epochs are kept";
  try {
    write_text_files("diverged", message);
  } catch (const IoError&) {
    // The divergence is the error to report; the files keep their last state.
  }
  throw TrainingDiverged(message);
}

}  // namespace initforge
