// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_train: a run's checkpoint, one safetensors file
// holding the parameters and buffers by path ("fc1.weight"), the optimizer
// state ("optimizer/fc1.weight/momentum_buffer") and, as metadata, where the
// run stands (TrainState).

#include <filesystem>
#include <string>

#include "framework/io/train_report_json.h"
#include "framework/model/builder.h"
#include "framework/train/optimizer.h"

namespace initforge {

/// Metadata key of the TrainState JSON.
inline constexpr const char* kTrainStateKey = "initforge.train_state";

/// run_dir/checkpoint/state.safetensors.
std::filesystem::path checkpoint_file(const std::filesystem::path& run_dir);

/// Writes the model's parameters, its buffers (read back from the layers
/// first), the optimizer state and `state` to `file` atomically (temporary
/// file, fsync, rename, fsync of the directory).
void save_checkpoint(
    const std::filesystem::path& file,
    Model& model,
    const Optimizer& optimizer,
    const TrainState& state);

/// Reads `file`, refuses it (UsageError naming it) unless its config hash
/// is `config_hash`, and restores the model's parameters and buffers (the
/// host copies: call before prepare(), or load_params/load_buffers after)
/// and the optimizer state. IoError naming the file when it is missing,
/// unreadable or does not hold exactly what the model needs.
TrainState load_checkpoint(
    const std::filesystem::path& file,
    Model& model,
    Optimizer& optimizer,
    const std::string& config_hash);

}  // namespace initforge
