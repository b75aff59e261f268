// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `train` section of a config as plain structs (no JSON types): what
// `initforge train` reads. Every struct keeps its JSON pointer for messages.
// Field meanings and defaults are documented in configs/README.md.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace initforge {

/// Which data "train.dataset" names ("name").
enum class DatasetKind { FashionMnist, Mnist, Cifar10, Npy };

/// One split of a "npy" dataset: samples x [N, C, H, W] or [N, D] and
/// labels y [N]; absolute paths (relative ones start at the config's
/// directory).
struct NpySplitFiles {
  std::filesystem::path x{};
  std::filesystem::path y{};
};

/// "train.dataset": which data and how it is normalized.
struct DatasetConfig {
  /// "fashion-mnist", "mnist", "cifar10" or "npy", as `kind`.
  std::string name = "fashion-mnist";
  DatasetKind kind = DatasetKind::FashionMnist;
  /// fashion-mnist, mnist: directory of the four IDX .gz files; cifar10:
  /// of data_batch_{1..5}.bin and test_batch.bin. Relative paths start at
  /// the config's directory. Default: Debian's dataset-fashion-mnist
  /// location. Unused by npy.
  std::filesystem::path dir = "/usr/share/datasets/fashion-mnist";
  /// npy only.
  NpySplitFiles train_files;
  NpySplitFiles test_files;
  /// Per channel (one value: every channel): uint8 samples become x/255,
  /// then (x - mean) / std. Defaults are the dataset's own statistics
  /// (fashion-mnist 0.2860/0.3530, mnist 0.1307/0.3081, cifar10 its three
  /// channels'); npy: none (empty: mean 0, std 1).
  std::vector<double> mean{0.2860};
  std::vector<double> std{0.3530};
  /// Where the statistics were given ("/train/dataset/normalize" or
  /// ".../mean"), for messages that depend on the data's channels.
  std::string normalize_pointer = "/train/dataset";
  /// Use only the first N training / test samples (short runs); unset: all.
  std::optional<std::int64_t> train_subset;
  std::optional<std::int64_t> test_subset;
  std::string pointer = "/train/dataset";
};

/// "train.augment": torchvision's RandomCrop (zero padding) and
/// RandomHorizontalFlip(p=0.5) on training batches, drawn from philox
/// (seed, epoch, sample). Off by default.
struct AugmentConfig {
  bool random_crop = false;
  /// Crop height and width; unset: the image's own (it must equal it).
  std::optional<std::array<std::int64_t, 2>> crop_size{};
  std::int64_t padding = 0;
  bool horizontal_flip = false;
  std::string pointer = "/train/augment";
  bool enabled() const {
    return random_crop || horizontal_flip;
  }
};

enum class LossKind { CrossEntropy, Mse };      // "cross_entropy", "mse"
enum class OptimizerKind { Sgd, Adam, AdamW };  // "sgd", "adam", "adamw"

/// "train.optimizer": torch.optim's arguments and defaults (AdamW's
/// weight_decay defaults to 0.01, the others' to 0).
struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::Sgd;
  double lr = 0.01;
  double momentum = 0.0;   // sgd
  double dampening = 0.0;  // sgd
  bool nesterov = false;   // sgd
  double beta1 = 0.9;      // adam/adamw ("betas": [b1, b2])
  double beta2 = 0.999;
  double eps = 1e-8;
  bool amsgrad = false;
  double weight_decay = 0.0;
  std::string pointer = "/train/optimizer";
};

enum class ScheduleKind { Constant, Step, Cosine };  // "constant", ...

/// "train.lr_schedule": per-epoch learning rate (StepLR,
/// CosineAnnealingLR). t_max defaults to the number of epochs.
struct ScheduleConfig {
  ScheduleKind kind = ScheduleKind::Constant;
  std::int64_t step_size = 1;
  double gamma = 0.1;
  std::int64_t t_max = 0;
  double eta_min = 0.0;
  std::string pointer = "/train/lr_schedule";
};

struct TrainConfig {
  DatasetConfig dataset;
  AugmentConfig augment;
  std::int64_t epochs = 1;
  std::int64_t batch_size = 128;
  LossKind loss = LossKind::CrossEntropy;
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  bool shuffle = true;
  bool drop_last = false;
  /// Batch size of the test-set evaluation after each epoch.
  std::int64_t eval_batch_size = 1000;
  /// Also checkpoint every N optimizer steps inside an epoch (0: only at
  /// epoch ends).
  std::int64_t checkpoint_every = 0;
  /// Samples of the fixed probe batch (the first training samples) whose
  /// activation and gradient std per layer are recorded at init and after
  /// each epoch.
  std::int64_t probe_batch = 256;
  std::string pointer = "/train";
};

}  // namespace initforge
