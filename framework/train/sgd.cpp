// SPDX-License-Identifier: Apache-2.0
#include "framework/train/sgd.h"

#include <cmath>
#include <string>

#include "framework/core/error.h"

namespace initforge {

Sgd::Sgd(const SgdOptions& options) : Optimizer(options.lr), options_(options) {
  if (!(options.momentum >= 0.0)) {
    throw InvalidArgument(
        "sgd: momentum expected >= 0; got " + std::to_string(options.momentum));
  }
  if (!(options.weight_decay >= 0.0)) {
    throw InvalidArgument(
        "sgd: weight_decay expected >= 0; got " +
        std::to_string(options.weight_decay));
  }
  if (options.nesterov &&
      (options.momentum <= 0.0 || options.dampening != 0.0)) {
    throw InvalidArgument(
        "sgd: nesterov expects momentum > 0 and dampening 0; got momentum " +
        std::to_string(options.momentum) + ", dampening " +
        std::to_string(options.dampening));
  }
}

void Sgd::update(const ParamSlot& slot) {
  // Scalars are rounded to float as ATen does for float tensors; a + alpha*b
  // is fused as ATen's vectorised add kernel does.
  const auto wd = static_cast<float>(options_.weight_decay);
  const auto mom = static_cast<float>(options_.momentum);
  const auto one_minus_damp = static_cast<float>(1.0 - options_.dampening);
  const auto neg_lr = static_cast<float>(-lr());
  float* p = slot.value.data().data();
  const float* g = slot.grad.data().data();
  const std::int64_t n = slot.value.numel();
  float* buf = nullptr;
  bool first = false;
  if (options_.momentum != 0.0) {
    buf =
        buffer(slot.name, "momentum_buffer", slot.value.shape(), &first).data();
  }
  for (std::int64_t i = 0; i < n; ++i) {
    float d = g[i];
    if (options_.weight_decay != 0.0) d = std::fma(wd, p[i], d);
    if (buf != nullptr) {
      buf[i] = first ? d : std::fma(one_minus_damp, d, buf[i] * mom);
      d = options_.nesterov ? std::fma(mom, buf[i], d) : buf[i];
    }
    p[i] = std::fma(neg_lr, d, p[i]);
  }
}

}  // namespace initforge
