// SPDX-License-Identifier: Apache-2.0
// adam_step for AVX2 + FMA (vectorized fmas, sqrt and division).
#include "framework/train/adam_kernel_impl.h"

namespace initforge::train_detail {

void adam_step_avx2(const AdamStep& s) {
  adam_step_impl(s);
}

}  // namespace initforge::train_detail
