// SPDX-License-Identifier: Apache-2.0
#include "framework/train/sgd_kernel.h"

namespace initforge::train_detail {

SgdStep sgd_step_for(
    double lr,
    double momentum,
    double dampening,
    double weight_decay,
    bool nesterov) {
  return SgdStep{
      .param = nullptr,
      .grad = nullptr,
      .momentum_buffer = nullptr,
      .n = 0,
      .weight_decay = static_cast<float>(weight_decay),
      .momentum = static_cast<float>(momentum),
      .one_minus_dampening = static_cast<float>(1.0 - dampening),
      .neg_lr = static_cast<float>(-lr),
      .first = false,
      .nesterov = nesterov};
}

SgdKernel sgd_step_kernel() {
  // Chosen once: both variants give identical bits, AVX2 is ~10x faster.
  static const SgdKernel kernel =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
          ? sgd_step_avx2
          : sgd_step_scalar;
  return kernel;
}

void sgd_step(const SgdStep& s) {
  sgd_step_kernel()(s);
}

}  // namespace initforge::train_detail
