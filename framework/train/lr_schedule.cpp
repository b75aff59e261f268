// SPDX-License-Identifier: Apache-2.0
#include "framework/train/lr_schedule.h"

#include <cmath>
#include <numbers>
#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge {

LrSchedule LrSchedule::constant(double base_lr) {
  return {Kind::kConstant, base_lr};
}

LrSchedule LrSchedule::step(
    double base_lr, std::int64_t step_size, double gamma) {
  if (step_size <= 0) {
    throw InvalidArgument(
        "StepLR: step_size " + expected_got("> 0", std::to_string(step_size)));
  }
  LrSchedule s(Kind::kStep, base_lr);
  s.period_ = step_size;
  s.factor_ = gamma;
  return s;
}

LrSchedule LrSchedule::cosine(
    double base_lr, std::int64_t t_max, double eta_min) {
  if (t_max <= 0) {
    throw InvalidArgument(
        "CosineAnnealingLR: T_max " +
        expected_got("> 0", std::to_string(t_max)));
  }
  LrSchedule s(Kind::kCosine, base_lr);
  s.period_ = t_max;
  s.factor_ = eta_min;
  return s;
}

double LrSchedule::lr_at(std::int64_t epoch) const {
  if (epoch < 0) {
    throw InvalidArgument(
        "lr schedule: epoch " + expected_got(">= 0", std::to_string(epoch)));
  }
  switch (kind_) {
    case Kind::kStep:
      return base_lr_ * std::pow(factor_, static_cast<double>(epoch / period_));
    case Kind::kCosine:
      return factor_ +
             (base_lr_ - factor_) *
                 (1.0 + std::cos(
                            std::numbers::pi * static_cast<double>(epoch) /
                            static_cast<double>(period_))) /
                 2.0;
    case Kind::kConstant:
      break;
  }
  return base_lr_;
}

}  // namespace initforge
