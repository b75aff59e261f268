// SPDX-License-Identifier: Apache-2.0
#include "framework/train/sgd.h"

#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/train/sgd_kernel.h"

namespace initforge {

Sgd::Sgd(const SgdOptions& options) : Optimizer(options.lr), options_(options) {
  if (!(options.momentum >= 0.0)) {
    throw InvalidArgument(
        "sgd: momentum " +
        expected_got(">= 0", std::to_string(options.momentum)));
  }
  if (!(options.weight_decay >= 0.0)) {
    throw InvalidArgument(
        "sgd: weight_decay " +
        expected_got(">= 0", std::to_string(options.weight_decay)));
  }
  if (options.nesterov &&
      (options.momentum <= 0.0 || options.dampening != 0.0)) {
    throw InvalidArgument(with_got(
        "sgd: nesterov expects momentum > 0 and dampening 0",
        "momentum " + std::to_string(options.momentum) + ", dampening " +
            std::to_string(options.dampening)));
  }
}

void Sgd::update(const ParamSlot& slot) {
  train_detail::SgdStep step = train_detail::sgd_step_for(
      lr(),
      options_.momentum,
      options_.dampening,
      options_.weight_decay,
      options_.nesterov);
  step.param = slot.value.data().data();
  step.grad = slot.grad.data().data();
  step.n = slot.value.numel();
  if (options_.momentum != 0.0) {
    step.momentum_buffer =
        buffer(slot.name, "momentum_buffer", slot.value.shape(), &step.first)
            .data();
  }
  train_detail::sgd_step(step);
}

}  // namespace initforge
