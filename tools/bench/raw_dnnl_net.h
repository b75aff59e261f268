// SPDX-License-Identifier: Apache-2.0
#pragma once

// The raw baseline of bench_model: a network graph driven through oneDNN 2.6
// primitives directly, with nothing of initforge in the way. One primitive
// per layer and no fusion (initforge fuses nothing either), format_tag::any
// wherever oneDNN has a preference, weights reordered once at build,
// activations left in the producer's layout (a reorder only where a
// primitive asks for another one, made once per producer and layout), one
// stream.

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/core/shape.h"
#include "framework/layers/layer_type.h"
#include "framework/model/config.h"

namespace initforge::bench {

/// A graph of Linear, Conv2d, BatchNorm2d (inference: running statistics),
/// pooling (AdaptiveAvgPool2d when its windows are alike), eltwise, Add,
/// Softmax and Flatten (only directly before a Linear, which reads 4-D
/// sources as they are). Each layer reads its `inputs` by name ("input":
/// the model input; none: the previous layer), as a ModelConfig gives them;
/// the last layer is the output. Throws std::runtime_error naming an
/// unsupported layer.
class RawDnnlNet {
 public:
  /// `input`: one sample's shape; parameters get deterministic
  /// pseudo-random values (Kaiming scale for weights; speed does not depend
  /// on them), or `params` and `buffers` when given, as a model's params()
  /// and buffers(): PyTorch layout, layer order, weight before bias, and
  /// BatchNorm2d's running_mean before running_var. Tests use them to check
  /// that the baseline computes initforge's output.
  RawDnnlNet(
      const Shape& input,
      std::span<const LayerConfig> layers,
      std::int64_t batch,
      std::vector<std::span<const float>> params = {},
      std::vector<std::span<const float>> buffers = {});

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
  // A node's output: its memory and logical dims (with batch). `flat`: a
  // Flatten of a non-plain 4-D tensor, which only a Linear may read (as the
  // 4-D tensor it is). `copies`: reorders into other layouts, made once.
  struct Activation {
    Activation(dnnl::memory m, dnnl::memory::dims d, bool f = false)
        : mem(std::move(m)), dims(std::move(d)), flat(f) {}
    dnnl::memory mem;
    dnnl::memory::dims dims;
    bool flat = false;
    std::vector<dnnl::memory> copies;
  };
  // The stored values a parameter or buffer takes, in order.
  struct Values {
    std::vector<std::span<const float>> given;
    std::size_t next = 0;
    const char* what;
  };

  Activation add_layer(const LayerConfig& layer, std::vector<Activation*> in);
  Activation add_linear(Activation& in, const Args& a);
  Activation add_conv(Activation& in, const Args& a);
  Activation add_batch_norm(Activation& in, const Args& a);
  Activation add_pool(
      Activation& in,
      dnnl::algorithm alg,
      IntPair kernel,
      IntPair stride,
      IntPair padding);
  Activation add_adaptive_avg_pool(Activation& in, const Args& a);
  Activation add_eltwise(Activation& in, dnnl::algorithm alg, float alpha);
  Activation add_softmax(Activation& in, std::int64_t axis);
  Activation add_sum(const std::vector<Activation*>& in);
  Activation flatten(Activation& in);
  // `in` in layout `want`: its own memory, or a copy reordered once.
  dnnl::memory as_layout(Activation& in, const dnnl::memory::desc& want);
  // A parameter in layout `want`: given values or random ones of Kaiming
  // scale, written in the `logical` layout first.
  dnnl::memory weights(
      const dnnl::memory::desc& want,
      const dnnl::memory::dims& dims,
      dnnl::memory::format_tag logical,
      std::int64_t fan_in);
  // `count` values of `from` (or `low + U(0, 1) * span` when none given).
  dnnl::memory vector(Values& from, std::int64_t count, float low, float span);

  dnnl::engine engine_{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream_{engine_};
  std::vector<Step> steps_;
  dnnl::memory input_;
  dnnl::memory output_;
  std::uint64_t seed_ = 1;
  Values params_;
  Values buffers_;
  double flops_ = 0;
};

}  // namespace initforge::bench
