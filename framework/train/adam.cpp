// SPDX-License-Identifier: Apache-2.0
#include "framework/train/adam.h"

#include <cmath>
#include <string>

#include "framework/core/error.h"

namespace initforge {
namespace {

void require(bool ok, const std::string& what, double got) {
  if (!ok)
    throw InvalidArgument("adam: " + what + "; got " + std::to_string(got));
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
  float& step_t = buffer(slot.name, "step", Shape{1}, nullptr).data()[0];
  float* m = buffer(slot.name, "exp_avg", shape, nullptr).data();
  float* v = buffer(slot.name, "exp_avg_sq", shape, nullptr).data();
  float* vmax = options_.amsgrad
                    ? buffer(slot.name, "max_exp_avg_sq", shape, nullptr).data()
                    : nullptr;
  step_t += 1.0f;
  // PyTorch computes the bias corrections in double from the float step,
  // then every tensor op rounds its scalar to float.
  const double step = step_t;
  const double bc1 = 1.0 - std::pow(options_.beta1, step);
  const double bc2_sqrt = std::sqrt(1.0 - std::pow(options_.beta2, step));
  const auto neg_step_size = static_cast<float>(-(lr() / bc1));
  const auto bc2s = static_cast<float>(bc2_sqrt);
  const auto eps = static_cast<float>(options_.eps);
  const auto b1 = static_cast<float>(options_.beta1);
  const auto b2 = static_cast<float>(options_.beta2);
  const auto one_minus_b1 = static_cast<float>(1.0 - options_.beta1);
  const auto one_minus_b2 = static_cast<float>(1.0 - options_.beta2);
  const auto wd = static_cast<float>(options_.weight_decay);
  const auto decay = static_cast<float>(1.0 - lr() * options_.weight_decay);
  const bool has_wd = options_.weight_decay != 0.0;
  float* p = slot.value.data().data();
  const float* g = slot.grad.data().data();
  const std::int64_t n = slot.value.numel();
  for (std::int64_t i = 0; i < n; ++i) {
    float gi = g[i];
    if (options_.decoupled) {
      p[i] *= decay;  // AdamW: param.mul_(1 - lr * weight_decay)
    } else if (has_wd) {
      gi = std::fma(wd, p[i], gi);  // Adam: grad.add(param, alpha=weight_decay)
    }
    m[i] = std::fma(one_minus_b1, gi, m[i] * b1);
    v[i] = v[i] * b2 + one_minus_b2 * gi * gi;
    float second = v[i];
    if (vmax != nullptr) {
      vmax[i] = std::fmax(vmax[i], v[i]);
      second = vmax[i];
    }
    const float denom = std::sqrt(second) / bc2s + eps;
    p[i] = p[i] + neg_step_size * (m[i] / denom);
  }
}

}  // namespace initforge
