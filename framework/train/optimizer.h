// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <span>
#include <string>

#include "framework/core/export.h"
#include "framework/core/tensor.h"
#include "framework/core/tensor_view.h"

namespace initforge {

/// One parameter handed to an optimizer step: its stable name, value and
/// gradient.
struct ParamSlot {
  std::string name;
  TensorView value;
  ConstTensorView grad;
};

/// Per-parameter state as named float tensors ("<param>/<buffer>"), for
/// checkpoints.
using OptimizerState = std::map<std::string, Tensor>;

/// Base of the optimizers: updates parameters in place, keeps state by
/// parameter name.
class INITFORGE_API Optimizer {
 public:
  explicit Optimizer(double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Applies one update to every slot (value and grad shapes must match).
  void step(std::span<ParamSlot> params);
  /// Learning rate used by the next step (set by an LR schedule).
  double lr() const {
    return lr_;
  }
  /// Sets the learning rate for the next steps.
  void set_lr(double lr);
  /// Copies of all state tensors, keyed "<param>/<buffer>".
  OptimizerState state() const;
  /// Replaces the state with copies of `state` (as returned by state()).
  void load_state(const OptimizerState& state);

 protected:
  /// Updates one parameter; state buffers come from buffer().
  virtual void update(const ParamSlot& slot) = 0;
  /// The state tensor `kind` of `param`, created zero-filled with `shape` if
  /// missing (`created` reports that); a wrong-shaped loaded buffer throws.
  Tensor& buffer(
      const std::string& param,
      const char* kind,
      const Shape& shape,
      bool* created);

 private:
  double lr_;
  OptimizerState state_;
};

}  // namespace initforge
