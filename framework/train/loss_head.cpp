// SPDX-License-Identifier: Apache-2.0
#include "framework/train/loss_head.h"

#include <algorithm>
#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/train/loss.h"

namespace initforge {

LossHead::LossHead(LossKind kind, std::int64_t max_batch, std::int64_t classes)
    : kind_(kind),
      max_batch_(max_batch),
      classes_(classes),
      grad_(Tensor::zeros(Shape{max_batch, classes})),
      target_(
          kind == LossKind::Mse ? Tensor::zeros(Shape{max_batch, classes})
                                : Tensor()) {}

BatchLoss LossHead::evaluate(
    ConstTensorView output, std::span<const std::int32_t> labels) {
  const Shape& shape = output.shape();
  const std::int64_t n = shape.rank() == 2 ? shape[0] : -1;
  if (n < 0 || shape[1] != classes_ || n > max_batch_ ||
      static_cast<std::int64_t>(labels.size()) != n) {
    throw ShapeError(
        "loss: " + expected_got(
                       "an output [n <= " + std::to_string(max_batch_) + ", " +
                           std::to_string(classes_) + "] and n labels",
                       output.shape().to_string() + " and " +
                           std::to_string(labels.size()) + " labels"));
  }
  rows_ = n;
  const auto count = static_cast<std::size_t>(n * classes_);
  const TensorView d(grad_.span().first(count), Shape{n, classes_});
  BatchLoss out;
  if (kind_ == LossKind::CrossEntropy) {
    out.loss = softmax_cross_entropy(output, labels, d);
  } else {
    const std::span<float> target = target_.span().first(count);
    std::fill(target.begin(), target.end(), 0.0f);
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int32_t y = labels[static_cast<std::size_t>(i)];
      if (y < 0 || y >= classes_) {
        throw InvalidArgument(
            "mse loss: label " + std::to_string(i) + " " +
            expected_got(
                "in [0, " + std::to_string(classes_) + ")", std::to_string(y)));
      }
      target[static_cast<std::size_t>(i * classes_ + y)] = 1.0f;
    }
    out.loss = mse_loss(output, ConstTensorView(target, Shape{n, classes_}), d);
  }
  const float* x = output.data().data();
  for (std::int64_t i = 0; i < n; ++i) {
    const float* row = x + i * classes_;
    const auto best = std::max_element(row, row + classes_) - row;
    out.correct += best == labels[static_cast<std::size_t>(i)] ? 1 : 0;
  }
  return out;
}

ConstTensorView LossHead::grad() const {
  const auto count = static_cast<std::size_t>(rows_ * classes_);
  return {grad_.span().first(count), Shape{rows_, classes_}};
}

}  // namespace initforge
