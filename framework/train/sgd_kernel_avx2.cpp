// SPDX-License-Identifier: Apache-2.0
// sgd_step for AVX2 + FMA (vectorized fmas).
#include "framework/train/sgd_kernel_impl.h"

namespace initforge::train_detail {

void sgd_step_avx2(const SgdStep& s) {
  sgd_step_impl(s);
}

}  // namespace initforge::train_detail
