// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: "train.dataset" (configs/README.md,
// "Training > dataset").

#include <filesystem>

#include "framework/model/json_cursor.h"
#include "framework/model/train_config.h"

namespace initforge {

/// Reads and validates "train.dataset": the name decides which keys apply
/// (a key of another dataset fails naming its owners) and the default
/// statistics. Relative paths ("dir", npy's "x" and "y") start at
/// `base_dir`, the config file's directory.
DatasetConfig parse_dataset(
    const JsonCursor& dataset, const std::filesystem::path& base_dir);

}  // namespace initforge
