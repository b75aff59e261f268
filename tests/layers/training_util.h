// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the training-state tests of the dense layers: set_params /
// read_buffers / param_grads on host vectors, one forward + backward pass,
// and an error-message check.

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/layers/dense_reference.h"
#include "tests/layers/gradcheck.h"

namespace initforge::layer_test {

using Floats = std::vector<float>;
using Params = std::vector<Floats>;  // one vector per parameter/buffer

/// What one forward + backward produced, row-major.
struct Pass {
  Floats out;
  Floats diff_src;  // empty when not wanted
  Params grads;
};

/// Layer::set_params from host vectors (params()/buffers() shapes).
inline void set_params(
    Layer& layer, const Params& params, const Params& buffers) {
  std::vector<ConstTensorView> p;
  std::vector<ConstTensorView> b;
  const auto pd = layer.params();
  const auto bd = layer.buffers();
  for (std::size_t i = 0; i < params.size(); ++i) {
    p.emplace_back(params[i], pd[i].shape);
  }
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    b.emplace_back(buffers[i], bd[i].shape);
  }
  layer.set_params(context(), p, b);
}

/// Layer::read_buffers into host vectors.
inline Params read_buffers(Layer& layer) {
  Params out;
  std::vector<TensorView> views;
  const auto decls = layer.buffers();
  for (const auto& d : decls) {
    out.emplace_back(static_cast<std::size_t>(d.shape.numel()));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    views.emplace_back(out[i], decls[i].shape);
  }
  layer.read_buffers(context(), views);
  return out;
}

/// Layer::param_grads into host vectors.
inline Params param_grads(Layer& layer) {
  Params out;
  std::vector<TensorView> views;
  const auto decls = layer.params();
  for (const auto& d : decls) {
    out.emplace_back(static_cast<std::size_t>(d.shape.numel()));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    views.emplace_back(out[i], decls[i].shape);
  }
  layer.param_grads(context(), views);
  return out;
}

/// Forward then backward of `layer`, prepared for training on `src_md`.
inline Pass forward_backward(
    Layer& layer,
    const memory::desc& src_md,
    const memory::desc& dst_md,
    const Floats& x,
    const Floats& g) {
  DnnlContext& ctx = context();
  const memory src = memory_in_layout(src_md, x);
  const memory dst(dst_md, ctx.engine);
  layer.forward(ctx, {&src, 1}, dst);
  ctx.stream.wait();
  Pass p{to_plain(dst), {}, {}};
  const memory diff_dst = memory_in_layout(dst_md, g);
  const memory diff_src(src_md, ctx.engine);
  layer.backward(ctx, {&src, 1}, dst, diff_dst, {&diff_src, 1});
  ctx.stream.wait();
  p.diff_src = to_plain(diff_src);
  p.grads = param_grads(layer);
  return p;
}

/// The pass against the exact double-precision output and gradients.
inline void expect_pass_matches(
    const Pass& p, const Doubles& y, const DenseGrads& ref) {
  expect_close(p.out, y);
  expect_close(p.diff_src, ref.dx);
  expect_close(p.grads[0], ref.dw);
  expect_close(p.grads[1], ref.db);
}

/// Uniform [-1, 1) values for each of the layer's parameters.
inline Params random_params(const Layer& layer, std::uint32_t seed) {
  Params out;
  for (const auto& d : layer.params()) {
    out.push_back(random_values(d.shape.numel(), seed++));
  }
  return out;
}

/// Expects `f` to throw E with `message` in its text.
template <class E, class F>
void expect_error(F&& f, const std::string& message) {
  try {
    f();
    ADD_FAILURE() << "no error; expected: " << message;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << message;
  }
}

}  // namespace initforge::layer_test
