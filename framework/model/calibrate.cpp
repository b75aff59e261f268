// SPDX-License-Identifier: Apache-2.0
#include "framework/model/calibrate.h"

#include <algorithm>
#include <utility>

#include "framework/core/error.h"
#include "framework/init/calibration.h"
#include "framework/model/builder.h"
#include "framework/plugin/fill_checked.h"

namespace initforge {
namespace {

// The model as one parameter's calibrate() sees it. A scheme can write only
// its own layer's parameters, and nodes are in topological order, so every
// output call reloads that layer and re-runs the layers from it (or from an
// earlier stale one) to the requested node: the layers before it keep the
// outputs of their current parameters.
class ModelCalibration final : public Calibration {
 public:
  ModelCalibration(
      Model& model, ConstTensorView batch, std::vector<std::string>& log)
      : model_(model), batch_(batch), log_(log) {}

  // Points the host at parameter `index` of the plan.
  void select(std::size_t index) {
    if (selected_) {  // the last scheme may have written after its forward
      model_.load_params(node_);
      fresh_ = std::min(fresh_, node_);
    }
    const PlannedParam& p = model_.plan().params[index];
    selected_ = true;
    index_ = index;
    node_ = p.node;
    prefix_ = p.info.path + ": " + p.calibration->scheme + ": ";
  }

  const std::string& layer() const override {
    return model_.graph().nodes()[node_].name;
  }

  TensorView param() override {
    return model_.mutable_params()[index_].view();
  }

  std::vector<std::pair<std::string, TensorView>> layer_params() override {
    std::vector<std::pair<std::string, TensorView>> out;
    const auto& planned = model_.plan().params;
    const std::size_t skip = layer().size() + 1;  // "fc1."
    for (std::size_t i = 0; i < planned.size(); ++i) {
      if (planned[i].node != node_) continue;
      out.emplace_back(
          planned[i].info.path.substr(skip), model_.mutable_params()[i].view());
    }
    return out;
  }

  ConstTensorView layer_output() override {
    return run(node_);
  }

  ConstTensorView output_of(const std::string& layer) override {
    const auto nodes = model_.graph().nodes();
    std::string known;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].name == layer) return run(i);
      known += (known.empty() ? "" : ", ") + nodes[i].name;
    }
    throw InvalidArgument(
        "Calibration::output_of: no layer \"" + layer +
        "\" in the model; its layers are " + known);
  }

  std::int64_t batch() const override {
    return batch_.shape()[0];
  }

  void report(std::string line) override {
    log_.push_back(prefix_ + line);
  }

 private:
  ConstTensorView run(std::size_t node) {
    model_.load_params(node_);
    fresh_ = std::min(fresh_, node_);
    if (node >= fresh_) {
      model_.forward_layers(batch_, fresh_, node);
      fresh_ = node + 1;
    }
    output_ = model_.node_output(node);
    return output_.view();
  }

  Model& model_;
  ConstTensorView batch_;
  std::vector<std::string>& log_;
  std::size_t index_ = 0;
  std::size_t node_ = 0;
  bool selected_ = false;
  std::size_t fresh_ = 0;  // nodes [0, fresh_) hold current outputs
  std::string prefix_;
  Tensor output_;
};

}  // namespace

Tensor calibration_input(
    const Shape& input, std::int64_t n, std::uint64_t seed) {
  std::vector<std::int64_t> dims = {n};
  dims.insert(dims.end(), input.dims().begin(), input.dims().end());
  Tensor batch = Tensor::empty(Shape(std::span<const std::int64_t>(dims)));
  RandomSource::create(RngKind::Philox, seed)
      ->generator_for("calibration")
      ->normal(batch.span(), 0.0, 1.0);
  return batch;
}

void calibrate_model(
    Model& model,
    ConstTensorView batch,
    std::span<const std::shared_ptr<Generator>> gens,
    bool check_finite,
    std::vector<std::string>& log) {
  model.prepare(batch.shape()[0], Phase::Inference);
  ModelCalibration host(model, batch, log);
  const auto& planned = model.plan().params;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    const PlannedParam& p = planned[i];
    if (!p.calibration) continue;
    host.select(i);
    calibrate_checked(
        *p.calibration->initializer,
        {.param = p.info, .gen = *gens[i], .model = host},
        {.scheme = p.calibration->scheme,
         .library_path = p.calibration->library_path,
         .check_finite = check_finite});
  }
  model.load_params();
}

}  // namespace initforge
