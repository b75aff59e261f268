// SPDX-License-Identifier: Apache-2.0
#include "framework/train/optimizer.h"

#include <cmath>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge {

Optimizer::Optimizer(double lr) : lr_(0.0) {
  set_lr(lr);
}

void Optimizer::set_lr(double lr) {
  if (!(lr >= 0.0) || !std::isfinite(lr)) {
    throw InvalidArgument(
        "optimizer: lr " +
        expected_got("a finite value >= 0", std::to_string(lr)));
  }
  lr_ = lr;
}

void Optimizer::step(std::span<ParamSlot> params) {
  for (const ParamSlot& p : params) {
    if (!(p.value.shape() == p.grad.shape())) {
      throw ShapeError(
          "optimizer: parameter '" + p.name + "' has shape " +
          p.value.shape().to_string() + " but its gradient has shape " +
          p.grad.shape().to_string());
    }
  }
  for (const ParamSlot& p : params) update(p);
}

OptimizerState Optimizer::state() const {
  OptimizerState out;
  for (const auto& [key, t] : state_) out.emplace(key, t.clone());
  return out;
}

void Optimizer::load_state(const OptimizerState& state) {
  OptimizerState copy;
  for (const auto& [key, t] : state) copy.emplace(key, t.clone());
  state_ = std::move(copy);
}

Tensor& Optimizer::buffer(
    const std::string& param,
    const char* kind,
    const Shape& shape,
    bool* created) {
  const std::string key = param + "/" + kind;
  auto it = state_.find(key);
  if (it != state_.end()) {
    if (!(it->second.shape() == shape)) {
      throw ShapeError(
          "optimizer state '" + key + "': " +
          expected_got(
              "shape " + shape.to_string(), it->second.shape().to_string()));
    }
    if (created) *created = false;
    return it->second;
  }
  if (created) *created = true;
  return state_.emplace(key, Tensor::zeros(shape)).first->second;
}

}  // namespace initforge
