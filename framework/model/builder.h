// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/core/generator.h"
#include "framework/core/tensor.h"
#include "framework/layers/layer.h"
#include "framework/model/config.h"
#include "framework/model/graph.h"
#include "framework/model/graph_runtime.h"
#include "framework/model/init_plan.h"
#include "framework/model/memory_budget.h"
#include "framework/plugin/registry.h"

namespace initforge {

/// A config turned into a runnable model, one step at a time:
/// build (everything checkable without allocating: graph, shapes, init
/// plan, memory) -> initialize (fill every parameter in logical layout) ->
/// prepare (primitives for the batch; parameters reordered once) ->
/// forward. Not movable: the runtime refers to the graph.
class INITFORGE_API Model {
 public:
  /// Throws ConfigError for anything wrong with the config, including a
  /// model that needs more memory than `available` (default: MemAvailable
  /// of /proc/meminfo) for `batch` samples.
  static std::unique_ptr<Model> build(
      ModelConfig config,
      const Registry& registry,
      std::int64_t batch,
      std::optional<std::int64_t> available = available_memory());
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ModelConfig& config() const {
    return config_;
  }
  const Graph& graph() const {
    return graph_;
  }
  const InitPlan& plan() const {
    return plan_;
  }
  const MemoryEstimate& memory() const {
    return memory_;
  }
  std::int64_t batch() const {
    return batch_;
  }

  /// Fills every parameter in plan order (config order, weight before
  /// bias) with its initializer and the generator `source` hands its path,
  /// and every buffer with its initial value. The random source is kept
  /// (random_input() continues it). A scheme that throws, or (with
  /// check_finite) writes a NaN or Inf, is a PluginError naming the
  /// parameter, the scheme and its library (fill_checked).
  /// Then, when the plan calibrates (data-dependent schemes, post_init),
  /// each such parameter's calibrate() runs in plan order, checked the same
  /// way (calibrate_checked), on `calibration_batch` ([N, ...input]) or, when
  /// none is given, on config().calibration.batch_size N(0, 1) samples of
  /// the philox stream (seed, "calibration"). UsageError when the config
  /// calibrates on training data (needs_training_batch()) and no batch is
  /// given; ShapeError for a batch of the wrong shape. Nothing else changes:
  /// a plan without calibration behaves exactly as before.
  void initialize(
      std::unique_ptr<RandomSource> source,
      bool check_finite = false,
      std::optional<ConstTensorView> calibration_batch = std::nullopt);
  /// True when initialize() needs a calibration batch from the caller: some
  /// parameter calibrates and config().calibration.source is Train.
  bool needs_training_batch() const;
  /// The report lines of the last initialize()'s calibrations, each
  /// "<path>: <scheme>: <line>"; empty when nothing calibrates.
  const std::vector<std::string>& calibration_log() const {
    return calibration_log_;
  }
  /// Parameters / buffers in plan order, logical layout (after initialize).
  std::span<const Tensor> params() const {
    return params_;
  }
  std::span<const Tensor> buffers() const {
    return buffers_;
  }
  /// The source given to initialize(); Error before that.
  RandomSource& random_source() const;

  /// N(0, 1) input of [batch, ...input] from the generator for path
  /// "input": after all parameters, so in torch mode it is what
  /// torch.randn gives after the same init calls.
  Tensor random_input();

  /// Creates the primitives for the build batch in Phase::Inference and
  /// hands each layer its parameters and buffers.
  void prepare();
  /// Creates the primitives for `batch` samples in `phase` (a training
  /// run switches between its batch, a shorter last batch and the
  /// evaluation batch). The layers' current buffers (running statistics)
  /// are read back first, so re-preparing loses nothing. A no-op when
  /// already prepared for the same batch and phase.
  void prepare(std::int64_t batch, Phase phase);
  /// The batch and phase of the last prepare(); Error before that.
  std::int64_t prepared_batch() const;
  Phase phase() const;

  /// The global optimizer step (0-based, as checkpoints count it) the next
  /// Phase::Training forwards belong to; with the random source's seed it
  /// keys what layers draw (Dropout's masks). 0 until set; kept across
  /// prepare().
  void set_step(std::int64_t step);
  std::int64_t step() const {
    return step_;
  }

  /// Runs the model on a row-major [batch, ...input] tensor.
  void forward(ConstTensorView input);
  /// Runs only the layers first..last (GraphRuntime::forward_layers): a
  /// calibration re-running the layers from the one it rescaled.
  void forward_layers(
      ConstTensorView input, std::size_t first, std::size_t last);
  /// The output of the last forward(), row-major [batch, ...output].
  const Tensor& output() const;
  /// Node `node`'s output of the last forward(), row-major.
  Tensor node_output(std::size_t node);

  /// Phase::Training, after forward(): back-propagates `d_output` (the
  /// loss gradient w.r.t. output(), row-major) through every layer and
  /// copies the parameter gradients into grads().
  void backward(ConstTensorView d_output);
  /// Gradients of the last backward(), logical layout, params() order.
  std::span<const Tensor> grads() const {
    return grads_;
  }
  /// The loss gradient w.r.t. node `node`'s output in the last backward(),
  /// row-major (zero for a node no later layer reads).
  Tensor node_grad(std::size_t node);

  /// Parameters and buffers to modify in place (an optimizer step, a
  /// checkpoint being loaded); call load_params() / load_buffers() after.
  std::span<Tensor> mutable_params() {
    return params_;
  }
  std::span<Tensor> mutable_buffers() {
    return buffers_;
  }
  /// Hands params() to the layers (after an optimizer step); the layers
  /// keep their buffers.
  void load_params();
  /// Hands node `node`'s parameters to its layer only.
  void load_params(std::size_t node);
  /// Hands buffers() to the layers (after loading a checkpoint).
  void load_buffers();
  /// Copies the layers' buffers into buffers() (BatchNorm's running
  /// statistics after training forward passes); before saving them.
  void sync_buffers();

 private:
  Model(ModelConfig config, Graph graph);
  /// set_params on every layer with parameters (and buffers if asked).
  void hand_to_layers(bool with_buffers);
  /// ShapeError unless `batch` is [N >= 1, ...input].
  void check_calibration_batch(ConstTensorView batch) const;

  ModelConfig config_;
  Graph graph_;
  InitPlan plan_;
  MemoryEstimate memory_;
  std::int64_t batch_ = 0;
  std::unique_ptr<RandomSource> source_;
  std::vector<Tensor> params_;
  std::vector<Tensor> buffers_;
  std::optional<DnnlContext> ctx_;
  std::unique_ptr<GraphRuntime> runtime_;
  Phase phase_ = Phase::Inference;
  std::int64_t step_ = 0;
  std::vector<Tensor> grads_;
  std::vector<std::string> calibration_log_;
};

}  // namespace initforge
