// SPDX-License-Identifier: Apache-2.0
#pragma once

// "train.dataset" to data: which files a dataset reads and loading one of
// its splits, whatever its kind (Fashion-MNIST/MNIST IDX files, CIFAR-10
// binary batches, .npy arrays).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/model/train_config.h"
#include "framework/train/dataset.h"

namespace initforge {

/// A file a dataset reads and the config key that leads to it.
struct DatasetFile {
  std::filesystem::path path;
  std::string pointer;  // e.g. "/train/dataset/dir", "/train/dataset/test/y"
};

/// Every file that loading both splits of `d` opens.
INITFORGE_API std::vector<DatasetFile> dataset_files(const DatasetConfig& d);

/// The message for `file` (one of dataset_files(d)) being missing.
INITFORGE_API std::string missing_file_message(
    const DatasetConfig& d, const std::filesystem::path& file);

/// The classes a dataset has by definition (10 for Fashion-MNIST, MNIST and
/// CIFAR-10); unset for npy, whose classes are the model's outputs.
INITFORGE_API std::optional<std::int64_t> dataset_classes(
    const DatasetConfig& d);

/// Loads `split` of `d`, normalized, its subset applied. Labels must be
/// below `classes` (unset: the dataset's own bound, if any). IoError naming
/// the file for missing or bad data; ConfigError (in `config_file`) for
/// statistics that do not fit the data's channels.
INITFORGE_API Dataset load_split(
    const DatasetConfig& d,
    Split split,
    std::optional<std::int64_t> classes,
    const std::string& config_file);

}  // namespace initforge
