// SPDX-License-Identifier: Apache-2.0
#include "framework/train/setup.h"

#include <algorithm>
#include <array>
#include <string>
#include <system_error>
#include <vector>

#include "framework/core/error.h"
#include "framework/train/adam.h"
#include "framework/train/sgd.h"

namespace initforge {

TrainData load_train_data(const DatasetConfig& d) {
  const Normalization norm{
      .mean = static_cast<float>(d.mean), .std = static_cast<float>(d.std)};
  TrainData data{
      .train = load_fashion_mnist(d.dir, Split::Train, norm),
      .test = load_fashion_mnist(d.dir, Split::Test, norm)};
  if (d.train_subset) data.train = data.train.head(*d.train_subset);
  if (d.test_subset) data.test = data.test.head(*d.test_subset);
  return data;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& o) {
  if (o.kind == OptimizerKind::Sgd) {
    return std::make_unique<Sgd>(SgdOptions{
        .lr = o.lr,
        .momentum = o.momentum,
        .dampening = o.dampening,
        .weight_decay = o.weight_decay,
        .nesterov = o.nesterov});
  }
  return std::make_unique<Adam>(AdamOptions{
      .lr = o.lr,
      .beta1 = o.beta1,
      .beta2 = o.beta2,
      .eps = o.eps,
      .weight_decay = o.weight_decay,
      .amsgrad = o.amsgrad,
      .decoupled = o.kind == OptimizerKind::AdamW});
}

LrSchedule make_schedule(const TrainConfig& t) {
  const ScheduleConfig& s = t.schedule;
  switch (s.kind) {
    case ScheduleKind::Step:
      return LrSchedule::step(t.optimizer.lr, s.step_size, s.gamma);
    case ScheduleKind::Cosine:
      return LrSchedule::cosine(t.optimizer.lr, s.t_max, s.eta_min);
    case ScheduleKind::Constant:
      break;
  }
  return LrSchedule::constant(t.optimizer.lr);
}

void check_model_fits_data(const Model& model, const Dataset& data) {
  const ModelConfig& c = model.config();
  const Shape& input = model.graph().input_shape();
  const Shape& image = data.images().shape();
  if (input.numel() != data.sample_numel()) {
    throw ConfigError(
        c.file,
        "/input",
        "expected one " + std::to_string(image[2]) + "x" +
            std::to_string(image[3]) + " image per sample (" +
            std::to_string(data.sample_numel()) + " values, e.g. [1, " +
            std::to_string(image[2]) + ", " + std::to_string(image[3]) +
            "]) to train on the dataset; got " + input.to_string());
  }
  const Shape& output = model.graph().output_shape();
  if (!(output == Shape{kNumClasses})) {
    throw ConfigError(
        c.file,
        model.graph().nodes().back().pointer,
        "expected the model output to be [" + std::to_string(kNumClasses) +
            "] per sample (one value per class) to train on the dataset; got " +
            output.to_string());
  }
}

void check_eval_memory(const Model& model, const TrainConfig& t) {
  const std::int64_t batch = std::min(
      t.eval_batch_size, t.dataset.test_subset.value_or(t.eval_batch_size));
  check_memory(
      model.graph(),
      estimate_memory(model.graph(), model.plan(), batch),
      batch,
      available_memory());
}

Shape batched(std::int64_t n, const Shape& sample) {
  // A fixed array: called once per step, it must not allocate.
  std::array<std::int64_t, Shape::kMaxRank> dims{};
  if (sample.rank() + 1 > dims.size()) {
    throw ShapeError(
        "batched: sample shape " + sample.to_string() + " has rank > " +
        std::to_string(dims.size() - 1));
  }
  dims[0] = n;
  std::copy(sample.dims().begin(), sample.dims().end(), dims.begin() + 1);
  return Shape(std::span<const std::int64_t>(dims.data(), sample.rank() + 1));
}

void make_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw IoError(
        dir.string() + ": cannot create the directory: " +
        (ec ? ec.message() : std::string("a file of that name exists")));
  }
}

}  // namespace initforge
