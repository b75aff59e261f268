// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: the "train" section of a config
// (configs/README.md, "Training").

#include <filesystem>

#include "framework/model/json_cursor.h"
#include "framework/model/train_config.h"

namespace initforge {

/// Reads and validates "train": dataset, epochs, batches, loss, optimizer,
/// lr_schedule and the run options. A relative dataset "dir" starts at
/// `base_dir` (the config file's directory).
TrainConfig parse_train(
    const JsonCursor& train, const std::filesystem::path& base_dir);

/// Reads "train.optimizer" with torch.optim's defaults and checks (lr >= 0,
/// momentum >= 0, 0 <= betas < 1, eps >= 0, weight_decay >= 0, nesterov
/// only with momentum > 0 and dampening 0).
OptimizerConfig parse_optimizer(const JsonCursor& optimizer);

}  // namespace initforge
