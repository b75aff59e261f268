// SPDX-License-Identifier: Apache-2.0
#pragma once

// The raw baseline of bench_model: a sequential network driven through
// oneDNN 2.6 primitives directly, with nothing of initforge in the way.
// One primitive per layer, format_tag::any wherever oneDNN has a preference,
// weights reordered once at build, activations left in the producer's layout
// (a reorder only where a primitive asks for another one), one stream.

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/core/shape.h"
#include "framework/layers/layer_type.h"

namespace initforge::bench {

/// A sequential network of Linear, Conv2d, pooling, eltwise, Softmax and
/// Flatten (only directly before a Linear, which reads 4-D sources as they
/// are). Throws std::runtime_error naming an unsupported layer.
class RawDnnlNet {
 public:
  /// `input`: one sample's shape; weights get deterministic pseudo-random
  /// values of Kaiming scale (speed does not depend on them), or `params`
  /// when given: PyTorch layout, layer order, weight before bias (a model's
  /// params()), so tests can check the baseline computes initforge's output.
  RawDnnlNet(
      const Shape& input,
      std::span<const LayerSpec> layers,
      std::int64_t batch,
      std::vector<std::span<const float>> params = {});

  /// The plain (row-major) input batch to fill before forward().
  std::span<float> input();
  /// Runs every primitive and waits; the output ends in a plain layout.
  void forward();
  /// The plain output batch after forward().
  std::span<const float> output() const;
  /// Multiply-adds of one forward pass (Linear and Conv2d), for GFLOP/s.
  double flops() const {
    return flops_;
  }

 private:
  struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, dnnl::memory> args;
  };
  // The current activation: its memory and logical dims (with batch).
  struct Activation {
    dnnl::memory mem;
    dnnl::memory::dims dims;
  };

  void add_linear(const Args& a);
  void add_conv(const Args& a);
  void add_pool(dnnl::algorithm alg, const Args& a);
  void add_eltwise(dnnl::algorithm alg, float alpha);
  void add_softmax(std::int64_t axis);
  void flatten();
  // Reorders the current activation into `want` when it differs.
  dnnl::memory as_layout(const dnnl::memory::desc& want);
  dnnl::memory weights(
      const dnnl::memory::desc& want,
      const dnnl::memory::dims& dims,
      dnnl::memory::format_tag logical,
      std::int64_t fan_in);

  dnnl::engine engine_{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream_{engine_};
  std::vector<Step> steps_;
  dnnl::memory input_;
  dnnl::memory output_;
  Activation cur_;
  bool flattened_ = false;
  std::uint64_t seed_ = 1;
  std::vector<std::span<const float>> params_;
  std::size_t next_param_ = 0;
  double flops_ = 0;
};

}  // namespace initforge::bench
