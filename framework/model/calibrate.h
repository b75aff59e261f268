// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: the host side of the data-dependent SDK
// (framework/init/calibration.h). Model::initialize calls it after every
// parameter is filled.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "framework/core/generator.h"
#include "framework/core/shape.h"
#include "framework/core/tensor.h"
#include "framework/core/tensor_view.h"

namespace initforge {

class Model;

/// [n, ...input] of N(0, 1) from the philox stream (seed, "calibration"):
/// independent of the init streams (torch mode's stream is left alone).
Tensor calibration_input(
    const Shape& input, std::int64_t n, std::uint64_t seed);

/// Runs the calibration step of every planned parameter that has one, in
/// plan order, on `batch` ([N, ...input]) through calibrate_checked; `gens`
/// holds each parameter's generator from its fill (plan order). Appends each
/// report line as "<path>: <scheme>: <line>" to `log`. Leaves the model
/// prepared for N samples in Phase::Inference with the calibrated
/// parameters handed to the layers.
void calibrate_model(
    Model& model,
    ConstTensorView batch,
    std::span<const std::shared_ptr<Generator>> gens,
    bool check_finite,
    std::vector<std::string>& log);

}  // namespace initforge
