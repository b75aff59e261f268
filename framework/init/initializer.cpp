// SPDX-License-Identifier: Apache-2.0
#include "framework/init/initializer.h"

#include "framework/core/error.h"
#include "framework/init/calibration.h"

namespace initforge {

Fans ParamInfo::require_fans() const {
  if (fans) return *fans;
  return compute_fans(shape);  // throws PyTorch's message for rank < 2
}

Initializer::~Initializer() = default;

void Initializer::check(const ParamInfo& /*param*/) const {}

void Initializer::calibrate(const CalibrationContext& /*ctx*/) const {}

Calibration::~Calibration() = default;

Target Initializer::target(const ParamInfo& /*param*/) const {
  return Target::unknown();
}

}  // namespace initforge
