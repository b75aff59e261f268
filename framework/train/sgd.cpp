// SPDX-License-Identifier: Apache-2.0
#include "framework/train/sgd.h"

#include <string>

#include "framework/core/error.h"
#include "framework/train/sgd_kernel.h"

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
  train_detail::SgdStep step{
      .param = slot.value.data().data(),
      .grad = slot.grad.data().data(),
      .momentum_buffer = nullptr,
      .n = slot.value.numel(),
      .weight_decay = static_cast<float>(options_.weight_decay),
      .momentum = static_cast<float>(options_.momentum),
      .one_minus_dampening = static_cast<float>(1.0 - options_.dampening),
      .neg_lr = static_cast<float>(-lr()),
      .first = false,
      .nesterov = options_.nesterov};
  if (options_.momentum != 0.0) {
    step.momentum_buffer =
        buffer(slot.name, "momentum_buffer", slot.value.shape(), &step.first)
            .data();
  }
  train_detail::sgd_step(step);
}

}  // namespace initforge
