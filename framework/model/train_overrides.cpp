// SPDX-License-Identifier: Apache-2.0
#include "framework/model/train_overrides.h"

#include <string>

#include <nlohmann/json.hpp>

#include "framework/core/error.h"

namespace initforge {

void apply_train_overrides(ModelConfig& config, const TrainOverrides& o) {
  if (!config.train) {
    throw UsageError(
        config.file +
        ": training options given, but the config has no \"train\" section");
  }
  TrainConfig& train = *config.train;
  // Without the config text (nothing to record) the patch goes nowhere.
  nlohmann::json json = config.json.empty()
                            ? nlohmann::json::object()
                            : nlohmann::json::parse(config.json);
  nlohmann::json& train_json = json["train"];
  if (o.epochs) {
    // An unset cosine t_max means "the number of epochs": it follows.
    const bool t_max_given =
        json.contains(nlohmann::json::json_pointer("/train/lr_schedule/t_max"));
    if (!t_max_given) train.schedule.t_max = *o.epochs;
    train.epochs = *o.epochs;
    train_json["epochs"] = *o.epochs;
  }
  if (o.seed) {
    config.seed = *o.seed;
    json["seed"] = *o.seed;
  }
  if (o.train_subset) {
    const std::int64_t n = *o.train_subset;
    if (train.drop_last && train.batch_size > n) {
      throw UsageError(
          "--train-subset " + std::to_string(n) + ": smaller than " +
          config.file + "'s batch_size " + std::to_string(train.batch_size) +
          " with drop_last: no batch would be left to train on");
    }
    train.dataset.train_subset = n;
    train_json["dataset"]["train_subset"] = n;
    // The probe batch is the first training samples: it must fit.
    if (train.probe_batch > n) {
      train.probe_batch = n;
      if (train_json.contains("probe_batch")) train_json["probe_batch"] = n;
    }
  }
  if (o.test_subset) {
    train.dataset.test_subset = *o.test_subset;
    train_json["dataset"]["test_subset"] = *o.test_subset;
  }
  if (o.data_dir) {
    if (train.dataset.kind == DatasetKind::Npy) {
      throw UsageError(
          "--data-dir: " + config.file +
          "'s npy dataset names its files (train.x, train.y, test.x, "
          "test.y); --data-dir applies to fashion-mnist, mnist and cifar10");
    }
    train.dataset.dir = *o.data_dir;
    train_json["dataset"]["dir"] = o.data_dir->string();
  }
  if (!config.json.empty()) config.json = json.dump();
}

}  // namespace initforge
