// SPDX-License-Identifier: Apache-2.0
// AdaptiveAvgPool2d: PyTorch's windows [floor(i·in/out), ceil((i+1)·in/out))
// run on oneDNN's average pooling when they are all alike — a 1x1 (global)
// output, any size that divides the input, and a few more (7 -> 3: kernel
// 3, stride 2). Other sizes are a ShapeError.

#include <optional>
#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/pool2d.h"

namespace initforge::layers_detail {
namespace {

struct Window {
  std::int64_t kernel;
  std::int64_t stride;
};

// The one kernel and stride PyTorch's windows along an axis share, if so.
std::optional<Window> uniform_windows(std::int64_t in, std::int64_t out) {
  if (out == 1) {
    return Window{in, in};
  }
  if (out > in) {
    return std::nullopt;  // windows overlap by repeating: no stride >= 1
  }
  const auto start = [&](std::int64_t i) { return i * in / out; };
  const auto end = [&](std::int64_t i) {
    return ((i + 1) * in + out - 1) / out;
  };
  const Window w{end(0) - start(0), start(1) - start(0)};
  for (std::int64_t i = 0; i < out; ++i) {
    if (start(i) != i * w.stride || end(i) - start(i) != w.kernel) {
      return std::nullopt;
    }
  }
  return w;
}

std::unique_ptr<Layer> make_adaptive_avg_pool2d(
    const IntPair& out, std::span<const Shape> inputs) {
  expect_input_count("AdaptiveAvgPool2d", inputs, 1);
  const Shape& in = inputs[0];
  if (in.rank() != 3) {
    throw ShapeError(
        "AdaptiveAvgPool2d: " +
        expected_got(
            "a 3-D input [channels, height, width] per sample",
            in.to_string()));
  }
  PoolGeometry g{{0, 0}, {0, 0}, {0, 0}};
  const char* axis[] = {"height", "width"};
  for (std::size_t a = 0; a < 2; ++a) {
    const std::int64_t size = in[a + 1];
    if (size > (std::int64_t{1} << 30)) {  // keeps i * size exact
      throw ShapeError(
          "AdaptiveAvgPool2d: " +
          expected_got("spatial sizes <= 2^30", in.to_string()));
    }
    const std::optional<Window> w = uniform_windows(size, out[a]);
    if (!w) {
      throw ShapeError(
          "AdaptiveAvgPool2d: output_size " + pair_text(out) + " for input " +
          in.to_string() + ": PyTorch's windows along " + axis[a] + " (" +
          std::to_string(size) + " -> " + std::to_string(out[a]) +
          ") differ in size or spacing; expected an output size whose "
          "windows are alike, such as 1 or a divisor of " +
          std::to_string(size));
    }
    g.kernel[a] = w->kernel;
    g.stride[a] = w->stride;
  }
  // No padding: every window lies inside the input (the last one ends at
  // its edge), so the mean counts real elements only, as PyTorch's.
  return make_pool2d_layer(
      "AdaptiveAvgPool2d",
      dnnl::algorithm::pooling_avg_exclude_padding,
      g,
      in,
      out);
}

const LayerRegistration kAdaptiveAvgPool2d{LayerType{
    .name = "AdaptiveAvgPool2d",
    .doc = "mean over the windows that give a fixed output size (1: global "
           "average); sizes whose windows are alike only",
    .args = {ArgSpec::required_int_pair("output_size", "output height, width")
                 .at_least(1)
                 .at_most(kMaxSpatialOption)},
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_adaptive_avg_pool2d(a.int_pair("output_size"), inputs);
    }}};

}  // namespace
}  // namespace initforge::layers_detail
