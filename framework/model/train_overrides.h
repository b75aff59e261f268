// SPDX-License-Identifier: Apache-2.0
#pragma once

// Command-line overrides of a config's training settings (`initforge
// train`'s --epochs, --seed, --train-subset, --test-subset, --data-dir),
// applied to the structs and to the recorded config text alike.

#include <cstdint>
#include <filesystem>
#include <optional>

#include "framework/core/export.h"
#include "framework/model/config.h"

namespace initforge {

/// Unset fields keep the config's values (defaults given so designated
/// initializers may name only some).
struct TrainOverrides {
  std::optional<std::int64_t> epochs = std::nullopt;
  std::optional<std::uint64_t> seed = std::nullopt;
  std::optional<std::int64_t> train_subset = std::nullopt;
  std::optional<std::int64_t> test_subset = std::nullopt;
  std::optional<std::filesystem::path> data_dir = std::nullopt;  // absolute
};

/// Sets the overridden fields in config.train (and config.seed) and in
/// config.json, so summary.json records what actually ran: an unset cosine
/// t_max follows --epochs; probe_batch shrinks to fit --train-subset.
/// UsageError when the config has no train section or --train-subset
/// leaves no batch with drop_last, and for --data-dir on an npy dataset.
INITFORGE_API void apply_train_overrides(
    ModelConfig& config, const TrainOverrides& overrides);

}  // namespace initforge
