// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_train: the text files of a run directory
// (metrics.csv, probes.csv) and what summary.json records about the build.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "framework/io/train_report_json.h"

namespace initforge {

/// metrics.csv: the header `epoch,train_loss,train_acc,test_loss,test_acc,
/// seconds`, then one row per epoch.
std::string metrics_csv(std::span<const EpochMetrics> rows);

/// probes.csv: `epoch,kind,name,type,activation_std,activation_mean,
/// grad_std,value_std`; one "layer" row per node and one "param" row per
/// parameter (its layer's type from `param_types`, plan order), empty cells
/// where a column does not apply.
std::string probes_csv(
    std::span<const ProbeStats> probes,
    std::span<const std::string> param_types);

/// "fnv1a64:<16 hex digits>" of `text` (ModelConfig::json): a checkpoint
/// records it so that a resume with another config is refused.
std::string config_hash(std::string_view text);

/// initforge, oneDNN and compiler versions.
TrainVersions build_versions();

}  // namespace initforge
