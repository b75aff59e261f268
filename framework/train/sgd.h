// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "framework/train/optimizer.h"

namespace initforge {

/// torch.optim.SGD hyper-parameters (1.13 defaults apart from lr).
struct SgdOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

/// SGD exactly as torch.optim.SGD 1.13 (the first step's buffer is the
/// gradient).
class INITFORGE_API Sgd final : public Optimizer {
 public:
  /// Validates the options as PyTorch does (InvalidArgument otherwise).
  explicit Sgd(const SgdOptions& options);

 protected:
  void update(const ParamSlot& slot) override;

 private:
  SgdOptions options_;
};

}  // namespace initforge
