// SPDX-License-Identifier: Apache-2.0
#include "framework/train/calibration_data.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/core/generator.h"
#include "framework/train/data_source.h"
#include "framework/train/setup.h"

namespace initforge {

Tensor calibration_batch(
    const ModelConfig& config, const Dataset& train, std::uint64_t seed) {
  const std::int64_t per_sample = config.input.numel();
  if (per_sample != train.sample_numel()) {
    throw ConfigError(
        config.file,
        "/input",
        expected_got(
            "one " + describe_sample(train.sample_shape()) + " per sample (" +
                std::to_string(train.sample_numel()) +
                " values) to calibrate on the training data "
                "(calibration.source \"train\")",
            config.input.to_string()));
  }
  const std::int64_t n = std::min(config.calibration.batch_size, train.size());
  if (n < 1) {
    throw ConfigError(
        config.file,
        config.calibration.pointer,
        "the training split is empty: no calibration batch");
  }
  std::vector<std::int64_t> order(static_cast<std::size_t>(train.size()));
  RandomSource::create(RngKind::Philox, seed)
      ->generator_for("calibration.sample")
      ->permutation(order);
  Tensor batch = Tensor::empty(batched(n, config.input));
  const std::span<const float> images = train.images().span();
  const auto row = static_cast<std::size_t>(per_sample);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto from = static_cast<std::size_t>(order[i]) * row;
    std::memcpy(
        batch.data() + static_cast<std::size_t>(i) * row,
        images.data() + from,
        row * sizeof(float));
  }
  return batch;
}

std::optional<Tensor> load_calibration_batch(
    const Model& model, std::uint64_t seed) {
  if (!model.needs_training_batch()) return std::nullopt;
  const ModelConfig& config = model.config();
  const DatasetConfig& d = config.train->dataset;  // the loader checked it
  // Labels play no part in calibration: only the dataset's own bound.
  const Dataset train =
      load_split(d, Split::Train, dataset_classes(d), config.file);
  return calibration_batch(config, train, seed);
}

}  // namespace initforge
