// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/train_setup.h"

#include <nlohmann/json.hpp>
#include <omp.h>

#include "framework/core/error.h"
#include "framework/model/builder.h"
#include "framework/train/dataset.h"

namespace initforge::cli {
namespace {

namespace fs = std::filesystem;

// Only the four files of the Debian layout: what load_fashion_mnist opens.
constexpr const char* kDatasetFiles[] = {
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz"};

}  // namespace

void check_variants(
    const std::vector<Variant>& variants, const Registry& registry) {
  // load_experiment already checked the names (portable, distinct).
  for (const Variant& v : variants) {
    if (!v.config.train) {
      throw ConfigError(
          v.config.file,
          "/train",
          "missing; `initforge train` needs a \"train\" section (dataset, "
          "epochs, optimizer: see configs/README.md)");
    }
  }
  for (const Variant& v : variants) {
    Model::build(v.config, registry, v.config.train->batch_size);
  }
}

void apply_overrides(ModelConfig& config, const TrainOverrides& o) {
  TrainConfig& train = config.train.value();
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
    train.dataset.dir = *o.data_dir;
    train_json["dataset"]["dir"] = o.data_dir->string();
  }
  if (!config.json.empty()) config.json = json.dump();
}

void check_datasets(const std::vector<Variant>& variants) {
  for (const Variant& v : variants) {
    const DatasetConfig& data = v.config.train->dataset;
    for (const char* name : kDatasetFiles) {
      std::error_code ec;
      if (fs::is_regular_file(data.dir / name, ec)) continue;
      std::string message = v.config.file + ": " + data.pointer + "/dir: " +
                            missing_dataset_message(data.dir / name, data.dir);
      if ((data.dir / "").lexically_normal() !=
          (fs::path(kDefaultFashionMnistDir) / "").lexically_normal()) {
        message +=
            " (Debian's dataset-fashion-mnist package installs them in " +
            std::string(kDefaultFashionMnistDir) + "; or set --data-dir)";
      }
      throw IoError(message);
    }
  }
}

std::string run_header(
    const Variant& variant,
    std::size_t index,
    std::size_t count,
    const fs::path& run_dir) {
  const TrainConfig& train = *variant.config.train;
  std::string text = "training " + variant.config.name;
  if (count > 1) {
    text = "variant " + variant.name + " (" + std::to_string(index + 1) + "/" +
           std::to_string(count) + "): " + text;
  }
  return text + " -> " + run_dir.string() + " (" +
         std::to_string(train.epochs) +
         (train.epochs == 1 ? " epoch, batch " : " epochs, batch ") +
         std::to_string(train.batch_size) + ", " +
         std::to_string(omp_get_max_threads()) + " threads)";
}

}  // namespace initforge::cli
