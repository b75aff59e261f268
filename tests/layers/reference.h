// SPDX-License-Identifier: Apache-2.0
#pragma once

// Naive reference layers: plain loops over row-major tensors, accumulating
// in double, written from PyTorch's definitions (not from oneDNN's).
// Templates on the value type: float for the forward tests, double for the
// finite differences of tests/layers/gradcheck.h.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "tests/testing/layer_options.h"

namespace initforge::layer_test {

using Values = std::vector<float>;
using Result = std::vector<double>;
/// Same element type as the deduced input (keeps nullptr arguments legal).
template <class T>
using Same = std::type_identity_t<std::vector<T>>;

/// y[n, o] = sum_i x[n, i] W[o, i] + b[o].
template <class T>
inline Result linear_ref(
    const std::vector<T>& x,
    const Same<T>& w,
    const Same<T>* b,
    std::int64_t batch,
    std::int64_t in,
    std::int64_t out) {
  Result y(static_cast<std::size_t>(batch * out));
  for (std::int64_t n = 0; n < batch; ++n) {
    for (std::int64_t o = 0; o < out; ++o) {
      double acc = b ? (*b)[o] : 0.0;
      for (std::int64_t i = 0; i < in; ++i) {
        acc += double{x[n * in + i]} * w[o * in + i];
      }
      y[n * out + o] = acc;
    }
  }
  return y;
}

/// Batched [N, C, H, W] sizes.
struct Nchw {
  std::int64_t n, c, h, w;
};

/// PyTorch Conv2d: weight [out, C/groups, kh, kw], zero padding.
template <class T>
inline Result conv2d_ref(
    const std::vector<T>& x,
    const Nchw& s,
    const Same<T>& w,
    const Same<T>* b,
    const Conv2dOptions& o,
    std::int64_t oh,
    std::int64_t ow) {
  const std::int64_t oc = o.out_channels;
  const std::int64_t icg = s.c / o.groups;
  const std::int64_t ocg = oc / o.groups;
  const auto [kh, kw] = o.kernel_size;
  Result y(static_cast<std::size_t>(s.n * oc * oh * ow));
  for (std::int64_t n = 0; n < s.n; ++n) {
    for (std::int64_t co = 0; co < oc; ++co) {
      const std::int64_t g = co / ocg;
      for (std::int64_t yh = 0; yh < oh; ++yh) {
        for (std::int64_t yw = 0; yw < ow; ++yw) {
          double acc = b ? (*b)[co] : 0.0;
          for (std::int64_t ci = 0; ci < icg; ++ci) {
            for (std::int64_t i = 0; i < kh; ++i) {
              for (std::int64_t j = 0; j < kw; ++j) {
                const std::int64_t h =
                    yh * o.stride[0] - o.padding[0] + i * o.dilation[0];
                const std::int64_t ww =
                    yw * o.stride[1] - o.padding[1] + j * o.dilation[1];
                if (h < 0 || h >= s.h || ww < 0 || ww >= s.w) {
                  continue;
                }
                const std::int64_t c = g * icg + ci;
                acc += double{x[((n * s.c + c) * s.h + h) * s.w + ww]} *
                       w[((co * icg + ci) * kh + i) * kw + j];
              }
            }
          }
          y[((n * oc + co) * oh + yh) * ow + yw] = acc;
        }
      }
    }
  }
  return y;
}

enum class PoolKind { Max, AvgIncludePad, AvgExcludePad };

/// PyTorch MaxPool2d / AvgPool2d with ceil_mode=False.
template <class T>
inline Result pool2d_ref(
    const std::vector<T>& x,
    const Nchw& s,
    PoolKind kind,
    IntPair k,
    IntPair st,
    IntPair p,
    std::int64_t oh,
    std::int64_t ow) {
  Result y(static_cast<std::size_t>(s.n * s.c * oh * ow));
  for (std::int64_t nc = 0; nc < s.n * s.c; ++nc) {
    for (std::int64_t yh = 0; yh < oh; ++yh) {
      for (std::int64_t yw = 0; yw < ow; ++yw) {
        double best = -std::numeric_limits<double>::infinity();
        double sum = 0.0;
        std::int64_t inside = 0;
        for (std::int64_t i = 0; i < k[0]; ++i) {
          for (std::int64_t j = 0; j < k[1]; ++j) {
            const std::int64_t h = yh * st[0] - p[0] + i;
            const std::int64_t w = yw * st[1] - p[1] + j;
            if (h < 0 || h >= s.h || w < 0 || w >= s.w) {
              continue;
            }
            const double v = x[(nc * s.h + h) * s.w + w];
            best = std::max(best, v);
            sum += v;
            ++inside;
          }
        }
        double out = best;
        if (kind == PoolKind::AvgIncludePad) {
          out = sum / static_cast<double>(k[0] * k[1]);
        } else if (kind == PoolKind::AvgExcludePad) {
          out = sum / static_cast<double>(inside);
        }
        y[(nc * oh + yh) * ow + yw] = out;
      }
    }
  }
  return y;
}

/// Inference BatchNorm2d with running statistics.
template <class T>
inline Result batch_norm_ref(
    const std::vector<T>& x,
    const Nchw& s,
    const Same<T>& weight,
    const Same<T>& bias,
    const Same<T>& mean,
    const Same<T>& var,
    double eps) {
  Result y(x.size());
  const std::int64_t hw = s.h * s.w;
  for (std::int64_t n = 0; n < s.n; ++n) {
    for (std::int64_t c = 0; c < s.c; ++c) {
      const double inv = 1.0 / std::sqrt(double{var[c]} + eps);
      for (std::int64_t i = 0; i < hw; ++i) {
        const std::int64_t at = (n * s.c + c) * hw + i;
        y[at] = (x[at] - double{mean[c]}) * inv * weight[c] + bias[c];
      }
    }
  }
  return y;
}

/// Softmax over `axis` of a row-major tensor with `dims`.
template <class T>
inline Result softmax_ref(
    const std::vector<T>& x,
    const std::vector<std::int64_t>& dims,
    std::size_t axis) {
  std::int64_t outer = 1;
  std::int64_t inner = 1;
  for (std::size_t d = 0; d < axis; ++d) {
    outer *= dims[d];
  }
  for (std::size_t d = axis + 1; d < dims.size(); ++d) {
    inner *= dims[d];
  }
  const std::int64_t len = dims[axis];
  Result y(x.size());
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      const auto at = [&](std::int64_t a) { return (o * len + a) * inner + i; };
      double top = -std::numeric_limits<double>::infinity();
      for (std::int64_t a = 0; a < len; ++a) {
        top = std::max(top, double{x[at(a)]});
      }
      double sum = 0.0;
      for (std::int64_t a = 0; a < len; ++a) {
        sum += std::exp(x[at(a)] - top);
      }
      for (std::int64_t a = 0; a < len; ++a) {
        y[at(a)] = std::exp(x[at(a)] - top) / sum;
      }
    }
  }
  return y;
}

}  // namespace initforge::layer_test
