// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_train: activation and gradient statistics of a
// model on a fixed batch.

#include <cstdint>
#include <span>

#include "framework/core/tensor_view.h"
#include "framework/io/train_report_json.h"
#include "framework/model/builder.h"
#include "framework/train/loss_head.h"

namespace initforge {

/// Runs a training-phase forward of `images` ([n, ...model input]), the
/// loss against `labels` and backward, and records per node the output's
/// std and mean and its gradient's std, and per parameter the value and
/// gradient std. Leaves the parameters and buffers as they were (the
/// forward's running-statistics update is undone) and touches no
/// optimizer; the model stays prepared for (n, Phase::Training).
ProbeStats run_probe(
    Model& model,
    ConstTensorView images,
    std::span<const std::int32_t> labels,
    LossHead& head,
    std::int64_t epoch);

}  // namespace initforge
