// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the layer tests: plain host buffers in and out of oneDNN
// memories, random values, a one-layer runner and a mixed-tolerance check.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/layers/layer.h"

#include "tests/testing/layer_options.h"

namespace initforge::layer_test {

using dnnl::memory;

inline DnnlContext& context() {
  static DnnlContext ctx;
  return ctx;
}

inline memory::dims batched(std::int64_t batch, const Shape& sample) {
  memory::dims dims{batch};
  dims.insert(dims.end(), sample.dims().begin(), sample.dims().end());
  return dims;
}

inline memory::desc plain(const memory::dims& dims) {
  memory::dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) {
    strides[i - 1] = strides[i] * dims[i];
  }
  return memory::desc(dims, memory::data_type::f32, strides);
}

/// True when `md` is not the row-major layout of its dims.
inline bool is_blocked(const memory::desc& md) {
  return !(md == plain(md.dims()));
}

/// Uniform values in [lo, hi) from a fixed seed.
inline std::vector<float> random_values(
    std::int64_t n, std::uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(static_cast<std::size_t>(n));
  for (float& v : values) {
    v = dist(engine);
  }
  return values;
}

/// A memory in the row-major layout holding a copy of `values`.
inline memory plain_memory(
    const memory::dims& dims, const std::vector<float>& values) {
  memory m(plain(dims), context().engine);
  EXPECT_EQ(m.get_desc().get_size(), values.size() * sizeof(float));
  std::memcpy(m.get_data_handle(), values.data(), m.get_desc().get_size());
  return m;
}

/// The values of `m` (any layout) in row-major order; waits for the stream.
inline std::vector<float> to_plain(const memory& m) {
  DnnlContext& ctx = context();
  memory src = m;
  memory dst(plain(m.get_desc().dims()), ctx.engine);
  dnnl::reorder(src, dst).execute(ctx.stream, src, dst);
  ctx.stream.wait();
  const auto* p = static_cast<const float*>(dst.get_data_handle());
  return {p, p + dst.get_desc().get_size() / sizeof(float)};
}

/// Parameter and buffer values handed to set_params, in logical layout.
struct LayerState {
  std::vector<std::vector<float>> params;
  std::vector<std::vector<float>> buffers;
};

/// Random parameters (uniform [-1, 1), or with `fan_scaled` U(+-1/sqrt(fan_in))
/// as PyTorch's default init) and buffers (uniform [0.5, 2), so a running_var
/// stays positive) for `layer`, loaded through set_params.
inline LayerState load_random_state(
    Layer& layer, std::uint32_t seed, bool fan_scaled = false) {
  LayerState state;
  std::vector<ConstTensorView> params;
  std::vector<ConstTensorView> buffers;
  const auto param_decls = layer.params();
  const auto buffer_decls = layer.buffers();
  for (const auto& decl : param_decls) {
    float bound = 1.0f;
    if (fan_scaled && decl.fans) {
      bound = 1.0f / std::sqrt(static_cast<float>(decl.fans->fan_in));
    }
    state.params.push_back(
        random_values(decl.shape.numel(), seed++, -bound, bound));
  }
  for (const auto& decl : buffer_decls) {
    state.buffers.push_back(
        random_values(decl.shape.numel(), seed++, 0.5f, 2.0f));
  }
  for (std::size_t i = 0; i < param_decls.size(); ++i) {
    params.emplace_back(state.params[i], param_decls[i].shape);
  }
  for (std::size_t i = 0; i < buffer_decls.size(); ++i) {
    buffers.emplace_back(state.buffers[i], buffer_decls[i].shape);
  }
  layer.set_params(context(), params, buffers);
  return state;
}

/// One layer run end to end: make_layer, prepare on plain source layouts,
/// random parameters, forward, output back in row-major order.
struct SingleRun {
  std::unique_ptr<Layer> layer;
  LayerState state;
  std::vector<float> output;
};

inline SingleRun run_layer(
    const LayerOptions& options,
    const std::vector<Shape>& input_shapes,
    std::int64_t batch,
    const std::vector<std::vector<float>>& inputs,
    std::uint32_t seed = 7) {
  DnnlContext& ctx = context();
  SingleRun run;
  run.layer = make_layer(options, input_shapes);
  std::vector<memory::desc> src_mds;
  std::vector<memory> src;
  for (std::size_t i = 0; i < input_shapes.size(); ++i) {
    src.push_back(plain_memory(batched(batch, input_shapes[i]), inputs[i]));
    src_mds.push_back(src.back().get_desc());
  }
  const memory::desc dst_md =
      run.layer->prepare(ctx, batch, src_mds, Phase::Inference);
  EXPECT_EQ(dst_md.dims(), batched(batch, run.layer->output_shape()));
  run.state = load_random_state(*run.layer, seed);
  memory dst(dst_md, ctx.engine);
  run.layer->forward(ctx, src, dst);
  ctx.stream.wait();
  run.output = to_plain(dst);
  return run;
}

/// |actual - expected| <= tol * max(1, |expected|) everywhere: relative for
/// large values, absolute near zero where f32 rounding of the inputs and
/// accumulation order dominate. Reports the first few mismatches.
inline void expect_close(
    const std::vector<float>& actual,
    const std::vector<double>& expected,
    double tol = 1e-5) {
  ASSERT_EQ(actual.size(), expected.size());
  int reported = 0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double e = expected[i];
    const double diff = std::abs(static_cast<double>(actual[i]) - e);
    if (!(diff <= tol * std::max(1.0, std::abs(e)))) {
      ++bad;
      if (reported++ < 5) {
        ADD_FAILURE() << "element " << i << ": got " << actual[i]
                      << ", expected " << e << " (diff " << diff << ")";
      }
    }
  }
  EXPECT_EQ(bad, 0u) << "of " << actual.size() << " elements";
}

}  // namespace initforge::layer_test
