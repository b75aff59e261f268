// SPDX-License-Identifier: Apache-2.0
#pragma once

// A dataset split stored as two .npy files: samples x (uint8 or float32,
// [N, C, H, W] or [N, D]) and integer labels y ([N]; uint8, int32 or
// int64).

#include <cstdint>
#include <optional>
#include <string>

#include "framework/core/export.h"
#include "framework/model/train_config.h"
#include "framework/train/dataset.h"

namespace initforge {

/// Loads `files`: uint8 x become x/255, then both dtypes are normalized per
/// channel (C of [N, C, H, W], each feature of [N, D]) by `d`'s statistics.
/// IoError naming the file for a wrong dtype or rank, a non-finite float,
/// an N that differs between x and y, a negative label, or one >= `classes`
/// (unset: no upper bound). ConfigError (in `config_file`) when the
/// statistics do not fit x's channels.
INITFORGE_API Dataset load_npy_split(
    const NpySplitFiles& files,
    const DatasetConfig& d,
    std::optional<std::int64_t> classes,
    const std::string& config_file);

}  // namespace initforge
