// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: "train.augment" (configs/README.md,
// "Training > augment").

#include "framework/model/json_cursor.h"
#include "framework/model/train_config.h"

namespace initforge {

/// Reads "train.augment": {"random_crop": {"size": S or [H, W], "padding":
/// P}, "horizontal_flip": true}. Whether the crop size fits the images is
/// checked when the data is loaded.
AugmentConfig parse_augment(const JsonCursor& augment);

}  // namespace initforge
