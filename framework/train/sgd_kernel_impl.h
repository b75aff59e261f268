// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: the body of sgd_step_*; included by one file per instruction
// set. The flags are template parameters so each loop is branch-free and
// vectorizes.

#include <cmath>

#include "framework/train/sgd_kernel.h"

namespace initforge::train_detail {

template <bool kDecay, bool kMomentum, bool kFirst, bool kNesterov>
void sgd_loop(const SgdStep& s) {
  float* __restrict p = s.param;
  const float* __restrict g = s.grad;
  float* __restrict buf = s.momentum_buffer;
#pragma omp simd
  for (std::int64_t i = 0; i < s.n; ++i) {
    float d = g[i];
    if constexpr (kDecay) d = std::fma(s.weight_decay, p[i], d);
    if constexpr (kMomentum) {
      const float b =
          kFirst ? d : std::fma(s.one_minus_dampening, d, buf[i] * s.momentum);
      buf[i] = b;
      d = kNesterov ? std::fma(s.momentum, b, d) : b;
    }
    p[i] = std::fma(s.neg_lr, d, p[i]);
  }
}

template <bool kDecay>
void sgd_dispatch_momentum(const SgdStep& s) {
  if (s.momentum_buffer == nullptr)
    return sgd_loop<kDecay, false, false, false>(s);
  if (s.first) {
    return s.nesterov ? sgd_loop<kDecay, true, true, true>(s)
                      : sgd_loop<kDecay, true, true, false>(s);
  }
  return s.nesterov ? sgd_loop<kDecay, true, false, true>(s)
                    : sgd_loop<kDecay, true, false, false>(s);
}

inline void sgd_step_impl(const SgdStep& s) {
  if (s.weight_decay != 0.0f) return sgd_dispatch_momentum<true>(s);
  sgd_dispatch_momentum<false>(s);
}

}  // namespace initforge::train_detail
