// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: torch.optim.Adam/AdamW's element loop (1.13, single-tensor
// path), compiled once per instruction set (adam_kernel_*.cpp) and chosen at
// run time. Every variant gives the same bits: the fmas are explicit, where
// PyTorch's AVX2 kernels fuse, and nothing else is contracted.

#include <cstdint>

namespace initforge::train_detail {

/// One parameter's update; scalars already rounded to float as ATen does.
struct AdamStep {
  float* param;
  const float* grad;
  float* exp_avg;
  float* exp_avg_sq;
  float* max_exp_avg_sq;  // null without amsgrad
  std::int64_t n;
  float weight_decay;  // Adam's grad + weight_decay * param; 0: none
  float decay;         // AdamW's param * (1 - lr * weight_decay); 1: none
  float beta1;
  float beta2;
  float one_minus_beta1;
  float one_minus_beta2;
  float bias_correction2_sqrt;
  float eps;
  float neg_step_size;  // -lr / bias_correction1
};

/// The scalars of step number `step` (1 on the first), computed in double as
/// torch.optim does and rounded to float as ATen rounds a Python scalar;
/// the pointers and n are left null/0.
AdamStep adam_step_for(
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weight_decay,
    bool decoupled,
    double step);

void adam_step(const AdamStep& s);
void adam_step_scalar(const AdamStep& s);
void adam_step_avx2(const AdamStep& s);

/// The variant adam_step runs on this CPU.
using AdamKernel = void (*)(const AdamStep&);
AdamKernel adam_step_kernel();

}  // namespace initforge::train_detail
