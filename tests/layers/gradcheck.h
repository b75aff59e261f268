// SPDX-License-Identifier: Apache-2.0
#pragma once

// Finite-difference gradient check for any layer: the layer's forward and
// backward (Phase::Training) against central differences of a
// double-precision reference forward.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/layers/layer_test_util.h"

namespace initforge::layer_test {

/// Row-major inputs and params in double -> row-major batched output.
using RefForward = std::function<std::vector<double>(
    const std::vector<std::vector<double>>& inputs,
    const std::vector<std::vector<double>>& params)>;

/// One gradient check. Inputs must keep clear of non-smooth points (ReLU at
/// 0, max-pool ties) by more than the finite-difference step.
struct GradCase {
  LayerOptions options;
  std::vector<Shape> input_shapes;  // per sample
  std::int64_t batch = 2;
  std::vector<std::vector<float>> inputs;  // row-major, batched
  RefForward reference;
  std::vector<bool> needs_grad;  // per input; empty: all get a gradient
  // Layout of each source given to prepare(); undef (or missing): row-major.
  std::vector<memory::format_tag> src_tags;
  bool fan_scaled_params = false;  // see load_random_state
  double forward_tol = 1e-5;       // expect_close's bound on the output
  // |analytic - numeric| <= grad_tol * max(1, |numeric|): f32 accumulation
  // over k terms errs ~sqrt(k)·6e-8 relative, the central difference with
  // step 1e-3·max(1, |v|) errs ~1e-7·|f'''| — both far below 1e-4.
  double grad_tol = 1e-4;
  double step = 1e-3;
  std::uint32_t seed = 11;
  Layer* layer = nullptr;  // re-prepare this layer instead of a new one
};

/// What the check saw, for further assertions by the test.
struct GradResult {
  std::unique_ptr<Layer> layer;  // null when GradCase::layer was given
  std::vector<std::vector<float>> diff_src;  // row-major; empty if not wanted
  std::vector<std::vector<float>> param_grads;
  std::vector<memory> src, dst, diff_dst, diff_src_mem;  // for reruns
};

/// Copies row-major `values` into a new memory of layout `md`.
inline memory memory_in_layout(
    const memory::desc& md, const std::vector<float>& values) {
  DnnlContext& ctx = context();
  memory src = plain_memory(md.dims(), values);
  memory dst(md, ctx.engine);
  dnnl::reorder(src, dst).execute(ctx.stream, src, dst);
  ctx.stream.wait();
  return dst;
}

/// Fills every byte of `m` (padding included) with `pattern` bits.
inline void poison(const memory& m, std::uint32_t pattern) {
  auto* p = static_cast<std::uint32_t*>(m.get_data_handle());
  std::fill(p, p + m.get_desc().get_size() / sizeof(float), pattern);
}

inline std::vector<double> to_double(const std::vector<float>& v) {
  return {v.begin(), v.end()};
}

/// Compares analytic gradients with central differences of `loss` along
/// each coordinate of `point` (perturbed in place and restored).
inline void expect_fd_match(
    const std::string& what,
    const std::vector<float>& analytic,
    std::vector<double>& point,
    const std::function<double()>& loss,
    const GradCase& c) {
  ASSERT_EQ(analytic.size(), point.size()) << what;
  int reported = 0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < point.size(); ++i) {
    const double x = point[i];
    const double h = c.step * std::max(1.0, std::abs(x));
    point[i] = x + h;
    const double up = loss();
    point[i] = x - h;
    const double down = loss();
    point[i] = x;
    const double numeric = (up - down) / (2.0 * h);
    const double diff = std::abs(double{analytic[i]} - numeric);
    if (!(diff <= c.grad_tol * std::max(1.0, std::abs(numeric)))) {
      ++bad;
      if (reported++ < 5) {
        ADD_FAILURE() << what << " element " << i << ": backward "
                      << analytic[i] << ", finite difference " << numeric;
      }
    }
  }
  EXPECT_EQ(bad, 0u) << what << ": mismatches of " << point.size();
}

/// One backward() on poisoned diff_src buffers; reads diff_src (checking
/// that a blocked layout's padding came out zero, as a reorder leaves it)
/// and the parameter gradients into `r`; returns all their bits.
inline std::vector<std::uint32_t> backward_once(
    Layer& layer,
    const std::vector<ParamDecl>& decls,
    std::uint32_t pattern,
    GradResult& r) {
  DnnlContext& ctx = context();
  for (const memory& m : r.diff_src_mem) {
    if (m) {
      poison(m, pattern);
    }
  }
  layer.backward(ctx, r.src, r.dst[0], r.diff_dst[0], r.diff_src_mem);
  ctx.stream.wait();
  r.diff_src.clear();
  for (const memory& m : r.diff_src_mem) {
    r.diff_src.push_back(m ? to_plain(m) : std::vector<float>{});
    if (m) {
      const memory clean = memory_in_layout(m.get_desc(), r.diff_src.back());
      const auto* got = static_cast<const float*>(m.get_data_handle());
      const auto* want = static_cast<const float*>(clean.get_data_handle());
      const std::size_t n = m.get_desc().get_size() / sizeof(float);
      EXPECT_TRUE(std::equal(got, got + n, want)) << "diff_src padding";
    }
  }
  r.param_grads.clear();
  std::vector<TensorView> views;
  for (const auto& d : decls) {
    r.param_grads.emplace_back(static_cast<std::size_t>(d.shape.numel()));
  }
  for (std::size_t k = 0; k < decls.size(); ++k) {
    views.emplace_back(r.param_grads[k], decls[k].shape);
  }
  layer.param_grads(ctx, views);
  std::vector<std::uint32_t> bits;
  for (const auto* set : {&r.diff_src, &r.param_grads}) {
    for (const auto& v : *set) {
      for (float f : v) {
        bits.push_back(std::bit_cast<std::uint32_t>(f));
      }
    }
  }
  return bits;
}

/// Runs the check; also verifies the forward output, that backward
/// overwrites (diff_src poisoned first) and that a second backward gives
/// the same bits.
inline GradResult gradcheck(const GradCase& c) {
  DnnlContext& ctx = context();
  GradResult r;
  Layer* layer = c.layer;
  if (layer == nullptr) {
    r.layer = make_layer(c.options, c.input_shapes);
    layer = r.layer.get();
  }
  const std::size_t count = c.input_shapes.size();
  std::vector<memory::desc> src_mds;
  for (std::size_t i = 0; i < count; ++i) {
    const memory::dims dims = batched(c.batch, c.input_shapes[i]);
    if (c.inputs.size() != count ||
        c.inputs[i].size() !=
            static_cast<std::size_t>(c.batch * c.input_shapes[i].numel())) {
      ADD_FAILURE() << "GradCase input " << i << " does not match its shape";
      return r;
    }
    const memory::format_tag tag =
        i < c.src_tags.size() ? c.src_tags[i] : memory::format_tag::undef;
    src_mds.push_back(
        tag == memory::format_tag::undef
            ? plain(dims)
            : memory::desc(dims, memory::data_type::f32, tag));
    r.src.push_back(memory_in_layout(src_mds.back(), c.inputs[i]));
  }
  const memory::desc dst_md =
      layer->prepare(ctx, c.batch, src_mds, Phase::Training);
  EXPECT_EQ(dst_md.dims(), batched(c.batch, layer->output_shape()));
  const LayerState state =
      load_random_state(*layer, c.seed, c.fan_scaled_params);
  r.dst.push_back(memory(dst_md, ctx.engine));
  layer->forward(ctx, r.src, r.dst[0]);
  ctx.stream.wait();

  std::vector<std::vector<double>> x(count);
  std::vector<std::vector<double>> theta;
  for (std::size_t i = 0; i < count; ++i) {
    x[i] = to_double(c.inputs[i]);
  }
  for (const auto& p : state.params) {
    theta.push_back(to_double(p));
  }
  const std::vector<double> y = c.reference(x, theta);
  expect_close(to_plain(r.dst[0]), y, c.forward_tol);

  const std::vector<float> g =
      random_values(static_cast<std::int64_t>(y.size()), c.seed + 1000);
  r.diff_dst.push_back(memory_in_layout(dst_md, g));
  for (std::size_t i = 0; i < count; ++i) {
    const bool wanted = c.needs_grad.empty() || c.needs_grad[i];
    r.diff_src_mem.push_back(
        wanted ? memory(src_mds[i], ctx.engine) : memory());
  }
  const auto decls = layer->params();
  std::vector<std::vector<std::uint32_t>> first_bits;
  for (std::uint32_t pattern : {0x7fc00000u, 0x4b000000u}) {  // NaN, 2^23
    first_bits.push_back(backward_once(*layer, decls, pattern, r));
  }
  EXPECT_EQ(first_bits[0], first_bits[1]) << "backward is not repeatable";

  const auto loss = [&] {
    const std::vector<double> out = c.reference(x, theta);
    double sum = 0.0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      sum += double{g[i]} * out[i];
    }
    return sum;
  };
  for (std::size_t i = 0; i < count; ++i) {
    if (r.diff_src_mem[i]) {
      expect_fd_match(
          "diff_src[" + std::to_string(i) + "]", r.diff_src[i], x[i], loss, c);
    }
  }
  for (std::size_t k = 0; k < theta.size(); ++k) {
    expect_fd_match(
        "grad of " + decls[k].name, r.param_grads[k], theta[k], loss, c);
  }
  return r;
}

}  // namespace initforge::layer_test
