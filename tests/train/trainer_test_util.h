// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers of trainer_tests: a tiny dataset directory (the first 756 images
// of the real Fashion-MNIST test split rewritten as 500 train and 256 test
// samples, so a test process decompresses 4 MB instead of 30 MB; synthetic
// images when the dataset is not installed), tiny configs, and comparisons
// of run directories.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/io/idx.h"
#include "framework/io/safetensors.h"
#include "framework/io/tensor_checksums.h"
#include "framework/model/config_loader.h"
#include "framework/train/dataset.h"
#include "framework/train/trainer.h"

#include "tests/testing/builtin_registry.h"
#include "tests/testing/temp_dir.h"
#include "tests/train/idx_files.h"

namespace initforge::testing {

namespace fs = std::filesystem;

inline constexpr std::int64_t kTrain = 500;  // 7 batches of 64 and one of 52
inline constexpr std::int64_t kTest = 256;   // eval batches 100, 100, 56
inline constexpr std::int64_t kSteps = 8;    // per epoch

inline bool have_real_data() {
  return fs::exists(
      fs::path(kDefaultFashionMnistDir) / "t10k-images-idx3-ubyte.gz");
}

// A dataset directory in the Debian layout: real images when installed,
// else the synthetic pattern of idx_files.h (label i % 10).
inline const fs::path& small_data_dir() {
  static const TempDir dir;
  static const bool made = [] {
    if (!have_real_data()) {
      write_split(dir.path(), "train", kTrain, kTrain);
      write_split(dir.path(), "t10k", kTest, kTest);
      return true;
    }
    const fs::path real(kDefaultFashionMnistDir);
    const IdxImages images =
        read_idx_images(real / "t10k-images-idx3-ubyte.gz");
    const auto labels = read_idx_labels(real / "t10k-labels-idx1-ubyte.gz");
    const auto write =
        [&](const std::string& stem, std::int64_t first, std::int64_t count) {
          const auto px = images.pixels.begin() + first * 784;
          const auto n = static_cast<std::uint32_t>(count);
          write_gz(
              dir / (stem + "-images-idx3-ubyte.gz"),
              idx_bytes(0x803, {n, 28, 28}, {px, px + count * 784}));
          write_gz(
              dir / (stem + "-labels-idx1-ubyte.gz"),
              idx_bytes(
                  0x801,
                  {n},
                  {labels.begin() + first, labels.begin() + first + count}));
        };
    write("train", 0, kTrain);
    write("t10k", kTrain, kTest);
    return true;
  }();
  static_cast<void>(made);
  return dir.path();
}

inline const std::string kMlp =
    R"({"name": "flatten", "type": "Flatten"},
       {"name": "fc1", "type": "Linear", "out_features": 32},
       {"name": "relu1", "type": "ReLU"},
       {"name": "fc2", "type": "Linear", "out_features": 10})";

inline const std::string kBatchNormCnn =
    R"({"name": "conv1", "type": "Conv2d", "out_channels": 4, "kernel_size": 3,
        "stride": 2, "bias": false},
       {"name": "bn1", "type": "BatchNorm2d"},
       {"name": "relu1", "type": "ReLU"},
       {"name": "pool1", "type": "MaxPool2d", "kernel_size": 2},
       {"name": "flatten", "type": "Flatten"},
       {"name": "fc1", "type": "Linear", "out_features": 10})";

// kMlp with a Dropout after the ReLU (its masks follow the global step).
inline const std::string kDropoutMlp =
    R"({"name": "flatten", "type": "Flatten"},
       {"name": "fc1", "type": "Linear", "out_features": 32},
       {"name": "relu1", "type": "ReLU"},
       {"name": "drop1", "type": "Dropout", "p": 0.5},
       {"name": "fc2", "type": "Linear", "out_features": 10})";

inline const std::string kAlphaDropoutMlp =
    R"({"name": "flatten", "type": "Flatten"},
       {"name": "fc1", "type": "Linear", "out_features": 32},
       {"name": "tanh1", "type": "Tanh"},
       {"name": "drop1", "type": "AlphaDropout", "p": 0.2},
       {"name": "fc2", "type": "Linear", "out_features": 10})";

inline const std::string kSgd =
    R"({"type": "sgd", "lr": 0.05, "momentum": 0.9})";
inline const std::string kAdamW = R"({"type": "adamw", "lr": 0.003})";

// A config training `layers` on the small dataset; `extra` adds train keys.
inline ModelConfig make_config(
    const std::string& layers,
    const std::string& optimizer,
    const std::string& extra = "",
    std::int64_t epochs = 2,
    std::int64_t probe_batch = 128) {
  const std::string text =
      R"({"name": "tiny", "seed": 11, "input": [1, 28, 28], "layers": [)" +
      layers + R"(], "train": {"dataset": {"dir": ")" +
      small_data_dir().string() + R"(", "train_subset": )" +
      std::to_string(kTrain) + R"(, "test_subset": )" + std::to_string(kTest) +
      R"(}, "epochs": )" + std::to_string(epochs) +
      R"(, "batch_size": 64, "eval_batch_size": 100, "probe_batch": )" +
      std::to_string(probe_batch) + R"(, "optimizer": )" + optimizer + extra +
      "}}";
  return parse_config(text, "tiny.json", fs::current_path());
}

// Counts the callbacks; optionally keeps each checkpoint's bytes.
struct Recorder : TrainObserver {
  std::int64_t first_epoch = 0, steps = 0, epochs = 0, probes = 0;
  std::vector<double> running_losses;
  std::string last_checkpoint;
  bool copy_checkpoints = false;
  void on_start(std::int64_t first, std::int64_t) override {
    first_epoch = first;
  }
  void on_step(const StepProgress& p) override {
    ++steps;
    running_losses.push_back(p.loss);
  }
  void on_epoch(const EpochMetrics&) override {
    ++epochs;
  }
  void on_probe(const ProbeStats&) override {
    ++probes;
  }
  void on_checkpoint(const fs::path& file) override {
    if (copy_checkpoints) last_checkpoint = read_raw(file);
  }
  std::vector<std::string> warnings;
  void on_warning(const std::string& message) override {
    warnings.push_back(message);
  }
};

inline TrainResult run(
    const ModelConfig& config,
    const fs::path& dir,
    bool resume = false,
    std::int64_t stop_after = 0,
    TrainObserver* observer = nullptr) {
  TrainObserver quiet;
  return train(
      config,
      builtin_registry(),
      {.run_dir = dir, .resume = resume, .stop_after_steps = stop_after},
      observer != nullptr ? *observer : quiet);
}

// metrics.csv without its last (wall-time) column.
inline std::string metrics_without_seconds(const fs::path& dir) {
  std::istringstream in(read_raw(dir / "metrics.csv"));
  std::string out, line;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

inline void expect_same_metrics(
    const std::vector<EpochMetrics>& a, const std::vector<EpochMetrics>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].epoch, b[i].epoch);
    EXPECT_EQ(a[i].train_loss, b[i].train_loss) << "epoch " << i + 1;
    EXPECT_EQ(a[i].train_acc, b[i].train_acc) << "epoch " << i + 1;
    EXPECT_EQ(a[i].test_loss, b[i].test_loss) << "epoch " << i + 1;
    EXPECT_EQ(a[i].test_acc, b[i].test_acc) << "epoch " << i + 1;
    EXPECT_EQ(a[i].lr, b[i].lr) << "epoch " << i + 1;
  }
}

// Checkpoint tensors (parameters, buffers, optimizer state) by name, after
// verifying their checksums.
inline std::map<std::string, std::vector<std::byte>> checkpoint_tensors(
    const fs::path& dir, const std::string& name = "state.safetensors") {
  std::map<std::string, std::vector<std::byte>> out;
  for (auto& t : read_verified_safetensors(dir / "checkpoint" / name).tensors) {
    out[t.name] = t.bytes;
  }
  return out;
}

// Every file under `dir`, relative, sorted.
inline std::vector<std::string> all_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir));
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline const std::vector<std::string> kRunFiles = {
    "checkpoint/state.prev.safetensors",
    "checkpoint/state.safetensors",
    "metrics.csv",
    "probes.csv",
    "summary.json",
    "weights.safetensors"};

}  // namespace initforge::testing
