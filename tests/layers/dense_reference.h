// SPDX-License-Identifier: Apache-2.0
#pragma once

// Double-precision reference forwards of Linear, Conv2d and training-mode
// BatchNorm2d for the gradient checks, written from PyTorch's definitions.

#include <cmath>
#include <cstdint>
#include <vector>

#include "tests/layers/reference.h"
#include "tests/testing/layer_options.h"

namespace initforge::layer_test {

using Doubles = std::vector<double>;

/// y[n, o] = sum_i x[n, i] W[o, i] + b[o]; `b` may be null.
inline Doubles linear_ref_d(
    const Doubles& x,
    const Doubles& w,
    const Doubles* b,
    std::int64_t in,
    std::int64_t out) {
  const std::int64_t batch = static_cast<std::int64_t>(x.size()) / in;
  return linear_ref(x, w, b, batch, in, out);
}

/// Batched NCHW sizes of a conv input.
using ConvInput = Nchw;

/// PyTorch's output size along one axis.
inline std::int64_t conv_out(
    std::int64_t in,
    std::int64_t k,
    std::int64_t s,
    std::int64_t p,
    std::int64_t d) {
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

/// PyTorch Conv2d: weight [out, C/groups, kh, kw], zero padding; `b` may
/// be null.
inline Doubles conv2d_ref_d(
    const Doubles& x,
    const ConvInput& s,
    const Doubles& w,
    const Doubles* b,
    const Conv2dOptions& o) {
  return conv2d_ref(
      x,
      s,
      w,
      b,
      o,
      conv_out(s.h, o.kernel_size[0], o.stride[0], o.padding[0], o.dilation[0]),
      conv_out(
          s.w, o.kernel_size[1], o.stride[1], o.padding[1], o.dilation[1]));
}

/// Gradients of L = sum g * y for a Linear or Conv2d (exact, in double).
struct DenseGrads {
  Doubles dx, dw, db;
};

/// Linear's gradients: dx = g W, dW = g^T x, db = column sums of g.
inline DenseGrads linear_backward_ref_d(
    const Doubles& x,
    const Doubles& w,
    const Doubles& g,
    std::int64_t in,
    std::int64_t out) {
  const std::int64_t batch = static_cast<std::int64_t>(x.size()) / in;
  DenseGrads r{Doubles(x.size()), Doubles(w.size()), Doubles(out)};
  for (std::int64_t n = 0; n < batch; ++n) {
    for (std::int64_t o = 0; o < out; ++o) {
      const double go = g[n * out + o];
      r.db[o] += go;
      for (std::int64_t i = 0; i < in; ++i) {
        r.dx[n * in + i] += go * w[o * in + i];
        r.dw[o * in + i] += go * x[n * in + i];
      }
    }
  }
  return r;
}

/// Conv2d's gradients: conv2d_ref_d's loops, each tap scattered back.
inline DenseGrads conv2d_backward_ref_d(
    const Doubles& x,
    const ConvInput& s,
    const Doubles& w,
    const Doubles& g,
    const Conv2dOptions& o) {
  const std::int64_t oh =
      conv_out(s.h, o.kernel_size[0], o.stride[0], o.padding[0], o.dilation[0]);
  const std::int64_t ow =
      conv_out(s.w, o.kernel_size[1], o.stride[1], o.padding[1], o.dilation[1]);
  const std::int64_t oc = o.out_channels;
  const std::int64_t icg = s.c / o.groups;
  const std::int64_t ocg = oc / o.groups;
  const auto [kh, kw] = o.kernel_size;
  DenseGrads r{Doubles(x.size()), Doubles(w.size()), Doubles(oc)};
  for (std::int64_t n = 0; n < s.n; ++n) {
    for (std::int64_t co = 0; co < oc; ++co) {
      for (std::int64_t yh = 0; yh < oh; ++yh) {
        for (std::int64_t yw = 0; yw < ow; ++yw) {
          const double gy = g[((n * oc + co) * oh + yh) * ow + yw];
          r.db[co] += gy;
          for (std::int64_t ci = 0; ci < icg; ++ci) {
            for (std::int64_t i = 0; i < kh; ++i) {
              const std::int64_t h =
                  yh * o.stride[0] - o.padding[0] + i * o.dilation[0];
              for (std::int64_t j = 0; j < kw && h >= 0 && h < s.h; ++j) {
                const std::int64_t v =
                    yw * o.stride[1] - o.padding[1] + j * o.dilation[1];
                if (v < 0 || v >= s.w) {
                  continue;
                }
                const std::int64_t xi =
                    ((n * s.c + co / ocg * icg + ci) * s.h + h) * s.w + v;
                const std::int64_t wi = ((co * icg + ci) * kh + i) * kw + j;
                r.dx[xi] += gy * w[wi];
                r.dw[wi] += gy * x[xi];
              }
            }
          }
        }
      }
    }
  }
  return r;
}

/// Per-channel batch mean and biased variance of an NCHW tensor.
struct BatchStats {
  Doubles mean, var;
};

inline BatchStats batch_stats_d(const Doubles& x, const ConvInput& s) {
  BatchStats st{Doubles(s.c, 0.0), Doubles(s.c, 0.0)};
  const std::int64_t hw = s.h * s.w;
  const double count = static_cast<double>(s.n * hw);
  for (std::int64_t c = 0; c < s.c; ++c) {
    double sum = 0.0;
    for (std::int64_t n = 0; n < s.n; ++n) {
      for (std::int64_t i = 0; i < hw; ++i) {
        sum += x[(n * s.c + c) * hw + i];
      }
    }
    const double mean = sum / count;
    double sq = 0.0;
    for (std::int64_t n = 0; n < s.n; ++n) {
      for (std::int64_t i = 0; i < hw; ++i) {
        const double d = x[(n * s.c + c) * hw + i] - mean;
        sq += d * d;
      }
    }
    st.mean[c] = mean;
    st.var[c] = sq / count;
  }
  return st;
}

/// Training-mode BatchNorm2d: batch mean and biased variance.
inline Doubles batch_norm_train_ref_d(
    const Doubles& x,
    const ConvInput& s,
    const Doubles& weight,
    const Doubles& bias,
    double eps) {
  const BatchStats st = batch_stats_d(x, s);
  const std::int64_t hw = s.h * s.w;
  Doubles y(x.size());
  for (std::int64_t n = 0; n < s.n; ++n) {
    for (std::int64_t c = 0; c < s.c; ++c) {
      const double inv = 1.0 / std::sqrt(st.var[c] + eps);
      for (std::int64_t i = 0; i < hw; ++i) {
        const std::int64_t at = (n * s.c + c) * hw + i;
        y[at] = (x[at] - st.mean[c]) * inv * weight[c] + bias[c];
      }
    }
  }
  return y;
}

}  // namespace initforge::layer_test
