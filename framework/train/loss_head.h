// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_train: the loss of a classification batch, its
// gradient and the number of correct predictions, with every buffer sized
// once for the largest batch (no allocation per step).

#include <cstdint>
#include <span>

#include "framework/core/tensor.h"
#include "framework/core/tensor_view.h"
#include "framework/model/train_config.h"

namespace initforge {

/// One batch's mean loss and how many argmax predictions hit the label.
struct BatchLoss {
  double loss = 0.0;
  std::int64_t correct = 0;
};

class LossHead {
 public:
  /// Cross-entropy on logits, or MSE against one-hot labels; outputs are
  /// [n, classes] with n <= max_batch.
  LossHead(LossKind kind, std::int64_t max_batch, std::int64_t classes);

  /// Loss and correct count of `output` [n, classes] against `labels` (n
  /// entries); keeps d loss / d output for grad().
  BatchLoss evaluate(
      ConstTensorView output, std::span<const std::int32_t> labels);
  /// The gradient of the last evaluate(), [n, classes].
  ConstTensorView grad() const;

 private:
  LossKind kind_;
  std::int64_t max_batch_;
  std::int64_t classes_;
  Tensor grad_;
  Tensor target_;  // one-hot labels (MSE)
  std::int64_t rows_ = 0;
};

}  // namespace initforge
