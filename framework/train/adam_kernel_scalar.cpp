// SPDX-License-Identifier: Apache-2.0
// adam_step for any x86-64 (libm's fma).
#include "framework/train/adam_kernel_impl.h"

namespace initforge::train_detail {

void adam_step_scalar(const AdamStep& s) {
  adam_step_impl(s);
}

}  // namespace initforge::train_detail
