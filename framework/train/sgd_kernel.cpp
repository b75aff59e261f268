// SPDX-License-Identifier: Apache-2.0
#include "framework/train/sgd_kernel.h"

namespace initforge::train_detail {

void sgd_step(const SgdStep& s) {
  // Chosen once: both variants give identical bits, AVX2 is ~10x faster.
  static const bool avx2 =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2) {
    sgd_step_avx2(s);
  } else {
    sgd_step_scalar(s);
  }
}

}  // namespace initforge::train_detail
