// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_train: turning a config's `train` section into
// the objects a run needs (data, optimizer, schedule) and checking that the
// model fits the data.

#include <filesystem>
#include <memory>

#include "framework/model/builder.h"
#include "framework/model/config.h"
#include "framework/train/dataset.h"
#include "framework/train/lr_schedule.h"
#include "framework/train/optimizer.h"

namespace initforge {

/// Classes of Fashion-MNIST and MNIST.
inline constexpr std::int64_t kNumClasses = 10;

/// The train and test splits `d` names (subsets applied).
struct TrainData {
  Dataset train;
  Dataset test;
};
TrainData load_train_data(const DatasetConfig& d);

/// SGD, Adam or AdamW with the section's hyper-parameters.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& o);

/// The per-epoch learning rate of `t` (base: the optimizer's lr).
LrSchedule make_schedule(const TrainConfig& t);

/// ConfigError unless the model takes one image (rows x cols values) and
/// outputs kNumClasses values per sample.
void check_model_fits_data(const Model& model, const Dataset& data);

/// ConfigError when the evaluation batch (eval_batch_size, at most the
/// test subset) needs more memory than is available; Model::build checked
/// the training batch.
void check_eval_memory(const Model& model, const TrainConfig& t);

/// [n, ...sample].
Shape batched(std::int64_t n, const Shape& sample);

/// Creates `dir` (and its parents) unless it exists; IoError naming it.
void make_directory(const std::filesystem::path& dir);

}  // namespace initforge
