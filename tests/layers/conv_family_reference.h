// SPDX-License-Identifier: Apache-2.0
#pragma once

// Double-precision reference forwards of Conv1d, ConvTranspose2d,
// AdaptiveAvgPool2d and Concat, written from PyTorch's definitions (not
// from oneDNN's), for the gradient checks.

#include <cstdint>
#include <vector>

#include "tests/layers/dense_reference.h"

namespace initforge::layer_test {

/// Batched [N, C, L] sizes of a Conv1d input.
struct Ncl {
  std::int64_t n, c, l;
};

/// PyTorch Conv1d, weight [out, C/groups, k]: Conv2d over [C, 1, L] with a
/// [1, k] kernel, whose weight has the same row-major bytes.
inline Doubles conv1d_ref_d(
    const Doubles& x,
    const Ncl& s,
    const Doubles& w,
    const Doubles* b,
    const Conv1dOptions& o) {
  const Conv2dOptions as_2d{
      o.out_channels,
      {1, o.kernel_size},
      {1, o.stride},
      {0, o.padding},
      {1, o.dilation},
      o.groups,
      o.bias};
  return conv2d_ref_d(x, {s.n, s.c, 1, s.l}, w, b, as_2d);
}

/// PyTorch's ConvTranspose2d output size along one axis.
inline std::int64_t conv_transpose_out(
    std::int64_t in,
    std::int64_t k,
    std::int64_t s,
    std::int64_t p,
    std::int64_t op,
    std::int64_t d) {
  return (in - 1) * s - 2 * p + d * (k - 1) + op + 1;
}

/// PyTorch ConvTranspose2d, weight [C, out/groups, kh, kw]: every input
/// element scatters x * w into the output at i·s - p + tap·d (the gradient
/// of Conv2d with respect to its input).
inline Doubles conv_transpose2d_ref_d(
    const Doubles& x,
    const ConvInput& s,
    const Doubles& w,
    const Doubles* b,
    const ConvTranspose2dOptions& o) {
  const auto [kh, kw] = o.kernel_size;
  const std::int64_t oh = conv_transpose_out(
      s.h, kh, o.stride[0], o.padding[0], o.output_padding[0], o.dilation[0]);
  const std::int64_t ow = conv_transpose_out(
      s.w, kw, o.stride[1], o.padding[1], o.output_padding[1], o.dilation[1]);
  const std::int64_t oc = o.out_channels;
  const std::int64_t icg = s.c / o.groups;
  const std::int64_t ocg = oc / o.groups;
  Doubles y(static_cast<std::size_t>(s.n * oc * oh * ow), 0.0);
  for (std::int64_t n = 0; n < s.n; ++n) {
    for (std::int64_t co = 0; co < oc; ++co) {
      for (std::int64_t i = 0; i < oh * ow; ++i) {
        y[(n * oc + co) * oh * ow + i] = b ? (*b)[co] : 0.0;
      }
    }
    for (std::int64_t ci = 0; ci < s.c; ++ci) {
      const std::int64_t g = ci / icg;
      for (std::int64_t ih = 0; ih < s.h; ++ih) {
        for (std::int64_t iw = 0; iw < s.w; ++iw) {
          const double xv = x[((n * s.c + ci) * s.h + ih) * s.w + iw];
          for (std::int64_t col = 0; col < ocg; ++col) {
            const std::int64_t co = g * ocg + col;
            for (std::int64_t i = 0; i < kh; ++i) {
              const std::int64_t h =
                  ih * o.stride[0] - o.padding[0] + i * o.dilation[0];
              for (std::int64_t j = 0; j < kw && h >= 0 && h < oh; ++j) {
                const std::int64_t v =
                    iw * o.stride[1] - o.padding[1] + j * o.dilation[1];
                if (v < 0 || v >= ow) {
                  continue;
                }
                y[((n * oc + co) * oh + h) * ow + v] +=
                    xv * w[((ci * ocg + col) * kh + i) * kw + j];
              }
            }
          }
        }
      }
    }
  }
  return y;
}

/// PyTorch AdaptiveAvgPool2d: output (i, j) averages rows
/// [floor(i·H/oh), ceil((i+1)·H/oh)) and likewise columns.
inline Doubles adaptive_avg_pool2d_ref_d(
    const Doubles& x, const ConvInput& s, std::int64_t oh, std::int64_t ow) {
  const auto start = [](std::int64_t i, std::int64_t in, std::int64_t out) {
    return i * in / out;
  };
  const auto end = [](std::int64_t i, std::int64_t in, std::int64_t out) {
    return ((i + 1) * in + out - 1) / out;
  };
  Doubles y(static_cast<std::size_t>(s.n * s.c * oh * ow));
  for (std::int64_t nc = 0; nc < s.n * s.c; ++nc) {
    for (std::int64_t i = 0; i < oh; ++i) {
      for (std::int64_t j = 0; j < ow; ++j) {
        double sum = 0.0;
        std::int64_t count = 0;
        for (std::int64_t h = start(i, s.h, oh); h < end(i, s.h, oh); ++h) {
          for (std::int64_t w = start(j, s.w, ow); w < end(j, s.w, ow); ++w) {
            sum += x[(nc * s.h + h) * s.w + w];
            ++count;
          }
        }
        y[(nc * oh + i) * ow + j] = sum / static_cast<double>(count);
      }
    }
  }
  return y;
}

/// torch.cat of row-major batched tensors along batched axis `axis`;
/// `samples` are the per-sample shapes.
inline Doubles concat_ref_d(
    const std::vector<Doubles>& xs,
    const std::vector<Shape>& samples,
    std::int64_t batch,
    std::size_t axis) {
  // Each input is [outer, len_i, inner]; outer and inner are shared.
  std::int64_t outer = batch;
  std::int64_t inner = 1;
  for (std::size_t d = 1; d < axis; ++d) {
    outer *= samples[0][d - 1];
  }
  for (std::size_t d = axis + 1; d <= samples[0].rank(); ++d) {
    inner *= samples[0][d - 1];
  }
  Doubles y;
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const std::int64_t block = samples[i][axis - 1] * inner;
      y.insert(
          y.end(), xs[i].begin() + o * block, xs[i].begin() + (o + 1) * block);
    }
  }
  return y;
}

}  // namespace initforge::layer_test
