// SPDX-License-Identifier: Apache-2.0
#include "framework/model/builder.h"

#include <algorithm>
#include <utility>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/model/calibrate.h"
#include "framework/plugin/fill_checked.h"

namespace initforge {
namespace {

[[noreturn]] void out_of_order(const char* step, const char* needs) {
  throw Error(std::string("Model::") + step + " called before Model::" + needs);
}

}  // namespace

Model::Model(ModelConfig config, Graph graph)
    : config_(std::move(config)), graph_(std::move(graph)) {}

Model::~Model() = default;

std::unique_ptr<Model> Model::build(
    ModelConfig config,
    const Registry& registry,
    std::int64_t batch,
    std::optional<std::int64_t> available) {
  if (batch <= 0) {
    throw UsageError("--batch: " + expected_got(">= 1", std::to_string(batch)));
  }
  Graph graph(config);
  std::unique_ptr<Model> model(new Model(std::move(config), std::move(graph)));
  model->batch_ = batch;
  model->plan_ = plan_init(model->config_, model->graph_, registry);
  model->memory_ = estimate_memory(model->graph_, model->plan_, batch);
  check_memory(model->graph_, model->memory_, batch, available);
  const std::int64_t calibration = model->config_.calibration.batch_size;
  if (model->plan_.calibrates() && calibration > batch) {
    check_memory(
        model->graph_,
        estimate_memory(model->graph_, model->plan_, calibration),
        calibration,
        available);
  }
  return model;
}

void Model::initialize(
    std::unique_ptr<RandomSource> source,
    bool check_finite,
    std::optional<ConstTensorView> calibration_batch) {
  if (needs_training_batch() && !calibration_batch) {
    throw UsageError(
        config_.file + ": " + config_.calibration.pointer +
        "/source: the model calibrates on training data, but "
        "Model::initialize was given no calibration batch (see "
        "calibration_batch in framework/train/calibration_data.h)");
  }
  if (calibration_batch) check_calibration_batch(*calibration_batch);
  source_ = std::move(source);
  params_.clear();
  buffers_.clear();
  calibration_log_.clear();
  // Kept for calibrate(): it continues the stream of its parameter's fill.
  std::vector<std::shared_ptr<Generator>> gens(plan_.params.size());
  // One parameter at a time, in order: the torch stream is shared and
  // sequential, exactly as nn.Module construction consumes it.
  for (std::size_t i = 0; i < plan_.params.size(); ++i) {
    const PlannedParam& p = plan_.params[i];
    Tensor values = Tensor::empty(p.info.shape);
    const auto gen = source_->generator_for(p.info.path);
    if (p.load && source_->kind() == RngKind::Philox) {
      // Philox values depend on the path alone: skipping this draw changes
      // no other parameter's. Torch mode draws (and discards) in order.
      params_.push_back(std::move(values));
      if (p.calibration) gens[i] = gen;
      continue;
    }
    fill_checked(
        *p.initializer,
        values.view(),
        {.param = p.info, .gen = *gen},
        {.scheme = p.scheme,
         .library_path = p.library_path,
         .check_finite = check_finite});
    params_.push_back(std::move(values));
    if (p.calibration) gens[i] = gen;
  }
  for (const PlannedBuffer& b : plan_.buffers) {
    Tensor values = Tensor::empty(b.decl.shape);
    std::fill(values.span().begin(), values.span().end(), b.decl.initial_value);
    buffers_.push_back(std::move(values));
  }
  // After every draw, before calibration (which may rescale a loaded value).
  for (std::size_t i = 0; i < plan_.params.size(); ++i) {
    if (const auto& load = plan_.params[i].load) {
      read_planned(*load, params_[i], check_finite);
    }
  }
  for (std::size_t i = 0; i < plan_.buffers.size(); ++i) {
    if (const auto& load = plan_.buffers[i].load) {
      read_planned(*load, buffers_[i], check_finite);
    }
  }
  if (!plan_.calibrates()) return;
  // A runtime from before this initialize would hand back stale buffers.
  runtime_.reset();
  Tensor drawn;
  if (!calibration_batch) {
    drawn = calibration_input(
        graph_.input_shape(), config_.calibration.batch_size, source_->seed());
    calibration_batch = std::as_const(drawn).view();
  }
  calibrate_model(
      *this, *calibration_batch, gens, check_finite, calibration_log_);
  runtime_.reset();  // the caller's prepare() starts afresh, as without
}

bool Model::needs_training_batch() const {
  return plan_.calibrates() &&
         config_.calibration.source == CalibrationSource::Train;
}

void Model::check_calibration_batch(ConstTensorView batch) const {
  const Shape& sample = graph_.input_shape();
  const Shape& got = batch.shape();
  bool ok = got.rank() == sample.rank() + 1 && got[0] >= 1;
  for (std::size_t i = 0; ok && i < sample.rank(); ++i) {
    ok = got[i + 1] == sample[i];
  }
  if (!ok) {
    throw ShapeError(
        "Model::initialize: " +
        expected_got(
            "a calibration batch [N, " + sample.to_string().substr(1) +
                " (N >= 1 samples of the input)",
            got.to_string()));
  }
}

RandomSource& Model::random_source() const {
  if (!source_) out_of_order("random_source", "initialize");
  return *source_;
}

Tensor Model::random_input() {
  std::vector<std::int64_t> dims = {batch_};
  const auto sample = graph_.input_shape().dims();
  dims.insert(dims.end(), sample.begin(), sample.end());
  Tensor input = Tensor::empty(Shape(std::span<const std::int64_t>(dims)));
  random_source().generator_for("input")->normal(input.span(), 0.0, 1.0);
  return input;
}

void Model::prepare() {
  prepare(batch_, Phase::Inference);
}

void Model::prepare(std::int64_t batch, Phase phase) {
  if (!source_) out_of_order("prepare", "initialize");
  if (runtime_ && runtime_->batch() == batch && runtime_->phase() == phase) {
    return;
  }
  if (runtime_) {
    sync_buffers();  // training forwards updated the running statistics
    runtime_.reset();
  } else {
    ctx_.emplace();
  }
  runtime_ = std::make_unique<GraphRuntime>(graph_, *ctx_, batch, phase);
  phase_ = phase;
  if (phase == Phase::Training && grads_.empty()) {
    for (const Tensor& p : params_) {
      grads_.push_back(Tensor::zeros(p.shape()));
    }
  }
  hand_to_layers(/*with_buffers=*/true);
}

std::int64_t Model::prepared_batch() const {
  if (!runtime_) out_of_order("prepared_batch", "prepare");
  return runtime_->batch();
}

Phase Model::phase() const {
  if (!runtime_) out_of_order("phase", "prepare");
  return phase_;
}

void Model::hand_to_layers(bool with_buffers) {
  // Each node's parameters and buffers are contiguous runs of the plan.
  std::size_t p = 0, b = 0;
  for (std::size_t node = 0; node < graph_.nodes().size(); ++node) {
    std::vector<ConstTensorView> params, buffers;
    for (; p < plan_.params.size() && plan_.params[p].node == node; ++p) {
      params.push_back(params_[p].view());
    }
    for (; b < plan_.buffers.size() && plan_.buffers[b].node == node; ++b) {
      if (with_buffers) buffers.push_back(buffers_[b].view());
    }
    if (!params.empty() || !buffers.empty()) {
      runtime_->set_params(node, params, buffers);
    }
  }
}

void Model::load_params() {
  if (!runtime_) out_of_order("load_params", "prepare");
  hand_to_layers(/*with_buffers=*/false);
}

void Model::load_params(std::size_t node) {
  if (!runtime_) out_of_order("load_params", "prepare");
  std::vector<ConstTensorView> params;
  for (std::size_t p = 0; p < plan_.params.size(); ++p) {
    if (plan_.params[p].node == node) params.push_back(params_[p].view());
  }
  if (!params.empty()) runtime_->set_params(node, params, {});
}

void Model::load_buffers() {
  if (!runtime_) out_of_order("load_buffers", "prepare");
  hand_to_layers(/*with_buffers=*/true);
}

void Model::sync_buffers() {
  if (!runtime_) out_of_order("sync_buffers", "prepare");
  std::size_t b = 0;
  for (std::size_t node = 0; node < graph_.nodes().size(); ++node) {
    std::vector<TensorView> views;
    for (; b < plan_.buffers.size() && plan_.buffers[b].node == node; ++b) {
      views.push_back(buffers_[b].view());
    }
    if (!views.empty()) runtime_->read_buffers(node, views);
  }
}

void Model::backward(ConstTensorView d_output) {
  if (!runtime_) out_of_order("backward", "prepare");
  runtime_->backward(d_output);
  std::size_t p = 0;
  for (std::size_t node = 0; node < graph_.nodes().size(); ++node) {
    std::vector<TensorView> views;
    for (; p < plan_.params.size() && plan_.params[p].node == node; ++p) {
      views.push_back(grads_[p].view());
    }
    if (!views.empty()) runtime_->param_grads(node, views);
  }
}

Tensor Model::node_grad(std::size_t node) {
  if (!runtime_) out_of_order("node_grad", "prepare");
  return runtime_->node_grad(node);
}

void Model::set_step(std::int64_t step) {
  step_ = step;
}

void Model::forward(ConstTensorView input) {
  if (!runtime_) out_of_order("forward", "prepare");
  runtime_->set_step(source_->seed(), step_);
  runtime_->forward(input);
}

void Model::forward_layers(
    ConstTensorView input, std::size_t first, std::size_t last) {
  if (!runtime_) out_of_order("forward_layers", "prepare");
  runtime_->set_step(source_->seed(), step_);
  runtime_->forward_layers(input, first, last);
}

const Tensor& Model::output() const {
  if (!runtime_) out_of_order("output", "prepare");
  return runtime_->output();
}

Tensor Model::node_output(std::size_t node) {
  if (!runtime_) out_of_order("node_output", "prepare");
  return runtime_->node_output(node);
}

}  // namespace initforge
