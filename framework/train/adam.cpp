// SPDX-License-Identifier: Apache-2.0
#include "framework/train/adam.h"

#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/train/adam_kernel.h"

namespace initforge {
namespace {

void require(bool ok, const std::string& what, double got) {
  if (!ok)
    throw InvalidArgument(with_got("adam: " + what, std::to_string(got)));
}

}  // namespace

Adam::Adam(const AdamOptions& options)
    : Optimizer(options.lr), options_(options) {
  require(options.eps >= 0.0, "eps expected >= 0", options.eps);
  require(
      options.beta1 >= 0.0 && options.beta1 < 1.0,
      "beta1 expected in [0, 1)",
      options.beta1);
  require(
      options.beta2 >= 0.0 && options.beta2 < 1.0,
      "beta2 expected in [0, 1)",
      options.beta2);
  require(
      options.weight_decay >= 0.0,
      "weight_decay expected >= 0",
      options.weight_decay);
}

void Adam::update(const ParamSlot& slot) {
  const Shape& shape = slot.value.shape();
  float& step = buffer(slot.name, "step", Shape{1}, nullptr).data()[0];
  step += 1.0f;  // a float tensor in torch.optim too
  train_detail::AdamStep s = train_detail::adam_step_for(
      lr(),
      options_.beta1,
      options_.beta2,
      options_.eps,
      options_.weight_decay,
      options_.decoupled,
      step);
  s.param = slot.value.data().data();
  s.grad = slot.grad.data().data();
  s.exp_avg = buffer(slot.name, "exp_avg", shape, nullptr).data();
  s.exp_avg_sq = buffer(slot.name, "exp_avg_sq", shape, nullptr).data();
  if (options_.amsgrad) {
    s.max_exp_avg_sq =
        buffer(slot.name, "max_exp_avg_sq", shape, nullptr).data();
  }
  s.n = slot.value.numel();
  train_detail::adam_step(s);
}

}  // namespace initforge
