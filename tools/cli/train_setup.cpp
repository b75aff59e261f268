// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/train_setup.h"

#include "framework/core/error.h"
#include "framework/model/builder.h"
#include "framework/train/data_source.h"
#include "framework/train/dataset.h"

namespace initforge::cli {

namespace fs = std::filesystem;

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

void check_datasets(const std::vector<Variant>& variants) {
  for (const Variant& v : variants) {
    const DatasetConfig& data = v.config.train->dataset;
    for (const DatasetFile& file : dataset_files(data)) {
      std::error_code ec;
      if (fs::is_regular_file(file.path, ec)) continue;
      std::string message = v.config.file + ": " + file.pointer + ": " +
                            missing_file_message(data, file.path);
      const bool idx = data.kind == DatasetKind::FashionMnist ||
                       data.kind == DatasetKind::Mnist;
      if (idx &&
          (data.dir / "").lexically_normal() !=
              (fs::path(kDefaultFashionMnistDir) / "").lexically_normal()) {
        message +=
            " (Debian's dataset-fashion-mnist package installs them in " +
            std::string(kDefaultFashionMnistDir) + "; or set --data-dir)";
      } else if (data.kind == DatasetKind::Cifar10) {
        message += " (or set --data-dir)";
      }
      throw IoError(message);
    }
  }
}

std::string run_header(
    const Variant& variant,
    std::size_t index,
    std::size_t count,
    const fs::path& run_dir,
    const PinnedThreads& threads) {
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
         std::to_string(threads.threads()) + " threads, " +
         threads.placement() + ")";
}

}  // namespace initforge::cli
