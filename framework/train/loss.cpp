// SPDX-License-Identifier: Apache-2.0
#include "framework/train/loss.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge {

double softmax_cross_entropy(
    ConstTensorView logits,
    std::span<const std::int32_t> labels,
    TensorView d_logits) {
  const Shape& s = logits.shape();
  if (s.rank() != 2 || s[0] <= 0 || s[1] <= 0) {
    throw InvalidArgument(with_got(
        "softmax_cross_entropy: logits must be [B, C] with B, C > 0",
        s.to_string()));
  }
  const std::int64_t b = s[0];
  const std::int64_t c = s[1];
  if (static_cast<std::int64_t>(labels.size()) != b) {
    throw InvalidArgument(
        "softmax_cross_entropy: " +
        expected_got(
            std::to_string(b) + " labels for logits " + s.to_string(),
            std::to_string(labels.size())));
  }
  if (!(d_logits.shape() == s)) {
    throw InvalidArgument(with_got(
        "softmax_cross_entropy: d_logits must have shape " + s.to_string(),
        d_logits.shape().to_string()));
  }
  for (std::int64_t i = 0; i < b; ++i) {
    const std::int32_t y = labels[static_cast<std::size_t>(i)];
    if (y < 0 || y >= c) {
      throw InvalidArgument(
          "softmax_cross_entropy: label " + std::to_string(i) + " " +
          expected_got("in [0, " + std::to_string(c) + ")", std::to_string(y)));
    }
  }
  const float* x = logits.data().data();
  float* g = d_logits.data().data();
  double total = 0.0;
  const double inv_b = 1.0 / static_cast<double>(b);
  for (std::int64_t i = 0; i < b; ++i) {
    const float* row = x + i * c;
    float* grow = g + i * c;
    // Subtracting the row max keeps exp() in range (log-sum-exp).
    const double m = *std::max_element(row, row + c);
    double sum = 0.0;
    for (std::int64_t j = 0; j < c; ++j)
      sum += std::exp(static_cast<double>(row[j]) - m);
    const double lse = m + std::log(sum);
    const std::int32_t y = labels[static_cast<std::size_t>(i)];
    total += lse - static_cast<double>(row[y]);
    for (std::int64_t j = 0; j < c; ++j) {
      const double p = std::exp(static_cast<double>(row[j]) - lse);
      grow[j] = static_cast<float>((p - (j == y ? 1.0 : 0.0)) * inv_b);
    }
  }
  return total * inv_b;
}

double mse_loss(
    ConstTensorView pred, ConstTensorView target, TensorView d_pred) {
  if (!(pred.shape() == target.shape()) || !(d_pred.shape() == pred.shape())) {
    throw InvalidArgument(with_got(
        "mse_loss: pred, target and d_pred must have one shape",
        pred.shape().to_string() + ", " + target.shape().to_string() + ", " +
            d_pred.shape().to_string()));
  }
  const std::int64_t n = pred.numel();
  if (n == 0)
    throw InvalidArgument(
        "mse_loss: " + expected_got("a non-empty tensor", "0 elements"));
  const float* p = pred.data().data();
  const float* t = target.data().data();
  float* g = d_pred.data().data();
  const double scale = 2.0 / static_cast<double>(n);
  double total = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(p[i]) - static_cast<double>(t[i]);
    total += d * d;
    g[i] = static_cast<float>(scale * d);
  }
  return total / static_cast<double>(n);
}

}  // namespace initforge
