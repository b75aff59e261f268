// SPDX-License-Identifier: Apache-2.0
#include "framework/train/adam_kernel.h"

#include <cmath>

namespace initforge::train_detail {

AdamStep adam_step_for(
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weight_decay,
    bool decoupled,
    double step) {
  // As _single_tensor_adam(w): Python floats (double), rounded to float
  // where they meet the float tensors.
  const double bias_correction1 = 1.0 - std::pow(beta1, step);
  const double bias_correction2 = 1.0 - std::pow(beta2, step);
  return AdamStep{
      .param = nullptr,
      .grad = nullptr,
      .exp_avg = nullptr,
      .exp_avg_sq = nullptr,
      .max_exp_avg_sq = nullptr,
      .n = 0,
      .weight_decay = decoupled ? 0.0f : static_cast<float>(weight_decay),
      .decay = decoupled ? static_cast<float>(1.0 - lr * weight_decay) : 1.0f,
      .beta1 = static_cast<float>(beta1),
      .beta2 = static_cast<float>(beta2),
      .one_minus_beta1 = static_cast<float>(1.0 - beta1),
      .one_minus_beta2 = static_cast<float>(1.0 - beta2),
      .bias_correction2_sqrt = static_cast<float>(std::sqrt(bias_correction2)),
      .eps = static_cast<float>(eps),
      .neg_step_size = static_cast<float>(-(lr / bias_correction1))};
}

AdamKernel adam_step_kernel() {
  // Chosen once: both variants give identical bits.
  static const AdamKernel kernel =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
          ? adam_step_avx2
          : adam_step_scalar;
  return kernel;
}

void adam_step(const AdamStep& s) {
  adam_step_kernel()(s);
}

}  // namespace initforge::train_detail
