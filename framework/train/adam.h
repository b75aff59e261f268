// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "framework/train/optimizer.h"

namespace initforge {

/// torch.optim.Adam / AdamW hyper-parameters (1.13 defaults apart from lr and
/// weight_decay, whose default differs: Adam 0, AdamW 0.01).
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool decoupled = false;  ///< true: AdamW (decoupled weight decay)
};

/// Adam / AdamW exactly as torch.optim 1.13's single-tensor path.
class INITFORGE_API Adam final : public Optimizer {
 public:
  /// Validates the options as PyTorch does (InvalidArgument otherwise).
  explicit Adam(const AdamOptions& options);

 protected:
  void update(const ParamSlot& slot) override;

 private:
  AdamOptions options_;
};

}  // namespace initforge
