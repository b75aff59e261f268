// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "framework/core/export.h"

namespace initforge {

/// Per-epoch learning rate: constant, StepLR or CosineAnnealingLR
/// (PyTorch 1.13).
class INITFORGE_API LrSchedule {
 public:
  /// lr(epoch) = base_lr.
  static LrSchedule constant(double base_lr);
  /// lr(epoch) = base_lr * gamma^floor(epoch / step_size).
  static LrSchedule step(double base_lr, std::int64_t step_size, double gamma);
  /// lr(epoch) = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / t_max))
  /// / 2.
  static LrSchedule cosine(double base_lr, std::int64_t t_max, double eta_min);

  /// Learning rate for 0-based `epoch` (>= 0).
  double lr_at(std::int64_t epoch) const;

 private:
  enum class Kind { kConstant, kStep, kCosine };
  LrSchedule(Kind kind, double base_lr) : kind_(kind), base_lr_(base_lr) {}
  Kind kind_;
  double base_lr_;
  std::int64_t period_ = 1;  // step_size or t_max
  double factor_ = 1.0;      // gamma or eta_min
};

}  // namespace initforge
