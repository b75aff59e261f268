// SPDX-License-Identifier: Apache-2.0
#pragma once

// The calibration batch of a config whose data-dependent schemes calibrate
// on training data ("calibration": {"source": "train"}). The model library
// cannot read datasets (train depends on model), so its callers supply the
// batch to Model::initialize: the trainer from the data it has loaded,
// `initforge run` through load_calibration_batch.

#include <cstdint>
#include <optional>

#include "framework/core/export.h"
#include "framework/core/tensor.h"
#include "framework/model/builder.h"
#include "framework/model/config.h"
#include "framework/train/dataset.h"

namespace initforge {

/// config.calibration.batch_size samples of `train` (all of them when it
/// holds fewer), chosen by the Fisher-Yates permutation of philox (seed,
/// "calibration.sample") and shaped [N, ...config.input]. ConfigError at
/// "/input" when one image does not have the input's element count.
INITFORGE_API Tensor calibration_batch(
    const ModelConfig& config, const Dataset& train, std::uint64_t seed);

/// nullopt unless model.needs_training_batch(); otherwise loads the
/// training split of the config's train section (its subset applied) and
/// returns calibration_batch of it. IoError for missing dataset files.
INITFORGE_API std::optional<Tensor> load_calibration_batch(
    const Model& model, std::uint64_t seed);

}  // namespace initforge
