// SPDX-License-Identifier: Apache-2.0
#include "framework/train/setup.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/train/adam.h"
#include "framework/train/data_source.h"
#include "framework/train/normalizer.h"
#include "framework/train/sgd.h"

namespace initforge {

std::int64_t check_model_output(const Model& model, const DatasetConfig& d) {
  const Shape& output = model.graph().output_shape();
  const std::optional<std::int64_t> fixed = dataset_classes(d);
  if (output.rank() == 1 && (!fixed || output[0] == *fixed)) return output[0];
  const std::string want =
      fixed ? "[" + std::to_string(*fixed) + "]" : "[K] (K classes)";
  throw ConfigError(
      model.config().file,
      model.graph().nodes().back().pointer,
      expected_got(
          "the model output to be " + want +
              " per sample (one value per class) to train on the dataset",
          output.to_string()));
}

TrainData load_train_data(
    const DatasetConfig& d,
    std::int64_t classes,
    const std::string& config_file) {
  return {
      .train = load_split(d, Split::Train, classes, config_file),
      .test = load_split(d, Split::Test, classes, config_file)};
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

void check_model_fits_data(
    const Model& model, const DatasetConfig& d, const TrainData& data) {
  const ModelConfig& c = model.config();
  const Shape& input = model.graph().input_shape();
  if (d.kind == DatasetKind::Npy) {
    for (const auto& [split, file] :
         {std::pair{&data.train, &d.train_files.x},
          std::pair{&data.test, &d.test_files.x}}) {
      if (split->sample_shape() == input) continue;
      throw ConfigError(
          c.file,
          "/input",
          expected_got(
              "the sample shape of " + file->string() + ", " +
                  split->sample_shape().to_string() + ", to train on it",
              input.to_string()));
    }
    return;
  }
  const Shape image = data.train.sample_shape();
  if (input.numel() != data.train.sample_numel()) {
    throw ConfigError(
        c.file,
        "/input",
        expected_got(
            "one " + describe_sample(image) + " per sample (" +
                std::to_string(data.train.sample_numel()) + " values, e.g. " +
                image.to_string() + ") to train on the dataset",
            input.to_string()));
  }
}

std::string describe_sample(const Shape& sample) {
  if (sample.rank() != 3) return "sample " + sample.to_string();
  // "28x28" for one channel, "3x32x32" for more.
  std::string dims;
  for (std::size_t i = sample[0] == 1 ? 1 : 0; i < 3; ++i) {
    dims += (dims.empty() ? "" : "x") + std::to_string(sample[i]);
  }
  return dims + " image";
}

Augmenter make_augmenter(
    const TrainConfig& t,
    const Dataset& train,
    std::uint64_t seed,
    const std::string& config_file) {
  const AugmentConfig& a = t.augment;
  if (!a.enabled()) return {};
  const Shape sample = train.sample_shape();
  if (sample.rank() != 3) {
    throw ConfigError(
        config_file,
        a.pointer,
        "random_crop and horizontal_flip need image samples [C, H, W]; the "
        "training samples are " +
            sample.to_string());
  }
  if (a.crop_size &&
      ((*a.crop_size)[0] != sample[1] || (*a.crop_size)[1] != sample[2])) {
    throw ConfigError(
        config_file,
        a.pointer + "/random_crop/size",
        expected_got(
            "the images' own size [" + std::to_string(sample[1]) + ", " +
                std::to_string(sample[2]) +
                "] (the crop keeps the model's input shape and the test split "
                "is evaluated uncropped)",
            "[" + std::to_string((*a.crop_size)[0]) + ", " +
                std::to_string((*a.crop_size)[1]) + "]"));
  }
  // Padding is black before normalization, as torchvision pads the image
  // before ToTensor and Normalize.
  const Normalizer norm =
      make_normalizer(t.dataset, sample[0], config_file, "the samples");
  AugmentOptions options{
      .random_crop = a.random_crop,
      .padding = a.padding,
      .horizontal_flip = a.horizontal_flip,
      .seed = seed};
  for (std::int64_t c = 0; c < sample[0]; ++c) {
    options.fill.push_back(norm.zero(c));
  }
  return Augmenter(sample, train.size(), std::move(options));
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
