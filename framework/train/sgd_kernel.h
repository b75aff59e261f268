// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: torch.optim.SGD's element loop, compiled once per instruction
// set (sgd_kernel_*.cpp) and chosen at run time. Every variant gives the
// same bits: the fmas are explicit and nothing else is contracted.

#include <cstdint>

namespace initforge::train_detail {

/// One parameter's update; scalars already rounded to float as ATen does.
struct SgdStep {
  float* param;
  const float* grad;
  float* momentum_buffer;  // null without momentum
  std::int64_t n;
  float weight_decay;  // 0: none
  float momentum;
  float one_minus_dampening;
  float neg_lr;
  bool first;  // the buffer starts as the first gradient
  bool nesterov;
};

/// The scalars of torch.optim.SGD's options, rounded to float as ATen
/// rounds a Python scalar; the pointers and n are left null/0, first false.
SgdStep sgd_step_for(
    double lr,
    double momentum,
    double dampening,
    double weight_decay,
    bool nesterov);

void sgd_step(const SgdStep& s);
void sgd_step_scalar(const SgdStep& s);
void sgd_step_avx2(const SgdStep& s);

/// The variant sgd_step runs on this CPU.
using SgdKernel = void (*)(const SgdStep&);
SgdKernel sgd_step_kernel();

}  // namespace initforge::train_detail
