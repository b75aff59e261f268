// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_train: turning a config's `train` section into
// the objects a run needs (data, optimizer, schedule) and checking that the
// model fits the data.

#include <filesystem>
#include <memory>
#include <string>

#include "framework/model/builder.h"
#include "framework/model/config.h"
#include "framework/train/augment.h"
#include "framework/train/dataset.h"
#include "framework/train/lr_schedule.h"
#include "framework/train/optimizer.h"

namespace initforge {

/// The train and test splits `d` names (subsets applied).
struct TrainData {
  Dataset train;
  Dataset test;
};

/// The number of classes the run trains on: the model's output must be
/// [K] per sample, K = 10 for Fashion-MNIST, MNIST and CIFAR-10 and any K
/// for npy data. ConfigError at the last layer otherwise.
std::int64_t check_model_output(const Model& model, const DatasetConfig& d);

/// Both splits of `d`, labels checked against `classes`.
TrainData load_train_data(
    const DatasetConfig& d,
    std::int64_t classes,
    const std::string& config_file);

/// SGD, Adam or AdamW with the section's hyper-parameters.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& o);

/// The per-epoch learning rate of `t` (base: the optimizer's lr).
LrSchedule make_schedule(const TrainConfig& t);

/// ConfigError at "/input" unless the model takes one sample of `data`:
/// the same number of values for the IDX and CIFAR-10 images, the same
/// shape for npy data (naming the .npy file).
void check_model_fits_data(
    const Model& model, const DatasetConfig& d, const TrainData& data);

/// "28x28 image" for [1, 28, 28], "3x32x32 image" for [3, 32, 32],
/// "sample [D]" for anything else: messages about one sample.
std::string describe_sample(const Shape& sample);

/// The augmentation of "train.augment" for `train`'s samples (disabled
/// without one). ConfigError when the samples are not images [C, H, W] or
/// the crop size is not theirs.
Augmenter make_augmenter(
    const TrainConfig& t,
    const Dataset& train,
    std::uint64_t seed,
    const std::string& config_file);

/// ConfigError when the evaluation batch (eval_batch_size, at most the
/// test subset) needs more memory than is available; Model::build checked
/// the training batch.
void check_eval_memory(const Model& model, const TrainConfig& t);

/// [n, ...sample].
Shape batched(std::int64_t n, const Shape& sample);

/// Creates `dir` (and its parents) unless it exists; IoError naming it.
void make_directory(const std::filesystem::path& dir);

}  // namespace initforge
