// SPDX-License-Identifier: Apache-2.0
// sgd_step for any x86-64 (libm's fma).
#include "framework/train/sgd_kernel_impl.h"

namespace initforge::train_detail {

void sgd_step_scalar(const SgdStep& s) {
  sgd_step_impl(s);
}

}  // namespace initforge::train_detail
