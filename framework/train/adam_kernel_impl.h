// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: the body of adam_step_*; included by one file per instruction
// set. The flags are template parameters so each loop is branch-free and
// vectorizes.

#include <cmath>

#include "framework/train/adam_kernel.h"

namespace initforge::train_detail {

// Each line is one ATen op of _single_tensor_adam(w), in its order and with
// its rounding; fma where ATen's AVX2 kernel fuses (add with alpha is
// fmadd, GCC contracts addcmul's value * t1 * t2 + self).
template <bool kWeightDecay, bool kDecoupled, bool kAmsgrad>
void adam_loop(const AdamStep& s) {
  float* __restrict p = s.param;
  const float* __restrict g = s.grad;
  float* __restrict m = s.exp_avg;
  float* __restrict v = s.exp_avg_sq;
  float* __restrict vmax = s.max_exp_avg_sq;
#pragma omp simd
  for (std::int64_t i = 0; i < s.n; ++i) {
    float gi = g[i];
    float pi = p[i];
    if constexpr (kDecoupled) pi *= s.decay;  // param.mul_(1 - lr * wd)
    if constexpr (kWeightDecay) gi = std::fma(pi, s.weight_decay, gi);
    m[i] = std::fma(gi, s.one_minus_beta1, m[i] * s.beta1);
    v[i] = std::fma(s.one_minus_beta2 * gi, gi, v[i] * s.beta2);
    float second = v[i];
    if constexpr (kAmsgrad) {
      // torch.maximum: NaN wins.
      const float mx = vmax[i];
      vmax[i] = (mx > second || std::isnan(mx)) ? mx : second;
      second = vmax[i];
    }
    const float denom = std::sqrt(second) / s.bias_correction2_sqrt + s.eps;
    p[i] = pi + (s.neg_step_size * m[i]) / denom;  // addcdiv_
  }
}

template <bool kWeightDecay, bool kDecoupled>
void adam_dispatch_amsgrad(const AdamStep& s) {
  if (s.max_exp_avg_sq != nullptr)
    return adam_loop<kWeightDecay, kDecoupled, true>(s);
  adam_loop<kWeightDecay, kDecoupled, false>(s);
}

inline void adam_step_impl(const AdamStep& s) {
  // decay 1 (AdamW without weight decay) multiplies by 1: exact, skipped.
  if (s.decay != 1.0f) return adam_dispatch_amsgrad<false, true>(s);
  if (s.weight_decay != 0.0f) return adam_dispatch_amsgrad<true, false>(s);
  adam_dispatch_amsgrad<false, false>(s);
}

}  // namespace initforge::train_detail
