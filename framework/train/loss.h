// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>

#include "framework/core/export.h"
#include "framework/core/tensor_view.h"

namespace initforge {

/// Mean softmax cross-entropy of logits [B, C] against int32 labels in [0, C);
/// writes d_logits = (softmax - onehot) / B and returns the loss.
INITFORGE_API double softmax_cross_entropy(
    ConstTensorView logits,
    std::span<const std::int32_t> labels,
    TensorView d_logits);

/// Mean squared error over all elements (PyTorch reduction='mean'); writes
/// d_pred = 2 (pred - target) / n and returns the loss.
INITFORGE_API double mse_loss(
    ConstTensorView pred, ConstTensorView target, TensorView d_pred);

}  // namespace initforge
