// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_train: a run's checkpoint, one safetensors file
// holding the parameters and buffers by path ("fc1.weight"), the optimizer
// state ("optimizer/fc1.weight/momentum_buffer") and, as metadata, where the
// run stands (TrainState) and the tensors' checksums. The previous
// checkpoint is kept beside it for a resume to fall back to.

#include <cstdint>
#include <filesystem>
#include <string>

#include "framework/io/train_report_json.h"
#include "framework/model/builder.h"
#include "framework/train/optimizer.h"

namespace initforge {

/// Metadata key of the TrainState JSON.
inline constexpr const char* kTrainStateKey = "initforge.train_state";

/// run_dir/checkpoint/state.safetensors: the latest checkpoint.
std::filesystem::path checkpoint_file(const std::filesystem::path& run_dir);

/// run_dir/checkpoint/state.prev.safetensors: the one before it, kept so a
/// damaged or missing latest one still leaves a checkpoint to resume from.
std::filesystem::path previous_checkpoint_file(
    const std::filesystem::path& run_dir);

/// Writes the model's parameters, its buffers (read back from the layers
/// first), the optimizer state and `state`, with per-tensor checksums, to
/// checkpoint_file(run_dir) atomically (temporary file, fsync, rename, fsync
/// of the directory). With `keep_previous` the latest checkpoint first gets
/// previous_checkpoint_file as a second name (a hard link), so the latest name
/// always holds a complete checkpoint, old or new. Pass false when the latest file is not known
/// to be good (a fresh run's stale file, or one a resume fell back from), so
/// it never replaces a good previous one.
void save_checkpoint(
    const std::filesystem::path& run_dir,
    Model& model,
    const Optimizer& optimizer,
    const TrainState& state,
    bool keep_previous);

/// What a checkpoint's position must fit: the config's epochs and the
/// training set's batches per epoch.
struct CheckpointLimits {
  std::int64_t epochs = 0;
  std::int64_t steps_per_epoch = 0;
};

/// Reads and verifies `file` (tensor checksums), refuses it (UsageError
/// naming it) unless its config hash is `config_hash`, and restores the
/// model's parameters and buffers (the host copies: call before prepare(),
/// or load_params/load_buffers after) and the optimizer state. IoError
/// naming the file (and the tensor) when it is missing, corrupt, does not
/// hold exactly what the model needs, or its position does not fit
/// `limits`; the file is never changed.
TrainState load_checkpoint(
    const std::filesystem::path& file,
    Model& model,
    Optimizer& optimizer,
    const std::string& config_hash,
    const CheckpointLimits& limits);

/// Where a resume starts from.
struct ResumePoint {
  TrainState state;
  std::filesystem::path file;  // the checkpoint loaded
  /// Empty when the latest checkpoint was loaded; else one line saying why
  /// it was not and that the previous one was.
  std::string fallback;
};

/// load_checkpoint of the latest checkpoint of `run_dir`, or, when that one
/// is missing or an IoError, of the previous one. IoError naming both files
/// and why when neither loads; a UsageError (another config) is passed on.
ResumePoint load_latest_checkpoint(
    const std::filesystem::path& run_dir,
    Model& model,
    Optimizer& optimizer,
    const std::string& config_hash,
    const CheckpointLimits& limits);

}  // namespace initforge
