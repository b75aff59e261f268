// SPDX-License-Identifier: Apache-2.0
// The config's "train" section: every field, its default and every error
// with its pointer and message.
#include "framework/model/train_config.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/model/config_loader.h"

#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kConfigs = INITFORGE_CONFIGS_DIR;
constexpr const char* kSgd = R"("optimizer": {"type": "sgd", "lr": 0.1})";

// A valid model whose "train" is `train` (JSON text), in /base/dir.
std::string config_text(const std::string& train) {
  return R"({"name": "t", "input": [1, 2, 2],
             "layers": [{"name": "f", "type": "Flatten"}], "train": )" +
         train + "}";
}

ModelConfig parse(const std::string& train) {
  return parse_config(config_text(train), "t.json", "/base/dir");
}

TrainConfig train_of(const std::string& fields) {
  const ModelConfig c = parse("{" + fields + "}");
  if (!c.train) throw std::runtime_error("no train section");
  return *c.train;
}

// The ConfigError of a train section, as "pointer|message".
std::string error_of(const std::string& train) {
  try {
    parse(train);
  } catch (const ConfigError& e) {
    return e.pointer() + "|" + e.what();
  }
  return "no error";
}

TEST(TrainConfig, AbsentSectionLeavesTrainUnset) {
  const ModelConfig c = parse_config(
      R"({"name": "t", "input": [4], "layers": [{"name": "f", "type": "Flatten"}]})",
      "t.json",
      ".");
  EXPECT_FALSE(c.train.has_value());
}

TEST(TrainConfig, MinimalSectionTakesTheDefaults) {
  const TrainConfig t = train_of(std::string(R"("epochs": 4, )") + kSgd);
  EXPECT_EQ(t.pointer, "/train");
  EXPECT_EQ(t.epochs, 4);
  EXPECT_EQ(t.dataset.name, "fashion-mnist");
  EXPECT_EQ(t.dataset.dir, fs::path("/usr/share/datasets/fashion-mnist"));
  EXPECT_EQ(t.dataset.mean, std::vector<double>{0.2860});
  EXPECT_EQ(t.dataset.std, std::vector<double>{0.3530});
  EXPECT_FALSE(t.dataset.train_subset.has_value());
  EXPECT_FALSE(t.dataset.test_subset.has_value());
  EXPECT_EQ(t.batch_size, 128);
  EXPECT_EQ(t.loss, LossKind::CrossEntropy);
  EXPECT_EQ(t.optimizer.kind, OptimizerKind::Sgd);
  EXPECT_EQ(t.optimizer.lr, 0.1);
  EXPECT_EQ(t.optimizer.momentum, 0.0);
  EXPECT_EQ(t.optimizer.dampening, 0.0);
  EXPECT_FALSE(t.optimizer.nesterov);
  EXPECT_EQ(t.optimizer.weight_decay, 0.0);
  EXPECT_EQ(t.optimizer.pointer, "/train/optimizer");
  EXPECT_EQ(t.schedule.kind, ScheduleKind::Constant);
  EXPECT_EQ(t.schedule.t_max, 4);  // = epochs
  EXPECT_TRUE(t.shuffle);
  EXPECT_FALSE(t.drop_last);
  EXPECT_EQ(t.eval_batch_size, 1000);
  EXPECT_EQ(t.checkpoint_every, 0);
  EXPECT_EQ(t.probe_batch, 256);
}

TEST(TrainConfig, ReadsEveryField) {
  const TrainConfig t = train_of(R"(
      "dataset": {"name": "mnist", "dir": "/data/mnist", "mean": 0.5,
                  "std": 0.25, "train_subset": 1000, "test_subset": 200},
      "epochs": 7, "batch_size": 64, "loss": "mse",
      "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9,
                    "dampening": 0, "nesterov": true, "weight_decay": 5e-4},
      "lr_schedule": {"type": "step", "step_size": 3, "gamma": 0.5},
      "shuffle": false, "drop_last": true, "eval_batch_size": 500,
      "checkpoint_every": 100, "probe_batch": 32)");
  EXPECT_EQ(t.dataset.name, "mnist");
  EXPECT_EQ(t.dataset.dir, fs::path("/data/mnist"));
  EXPECT_EQ(t.dataset.mean, std::vector<double>{0.5});
  EXPECT_EQ(t.dataset.std, std::vector<double>{0.25});
  EXPECT_EQ(t.dataset.train_subset, 1000);
  EXPECT_EQ(t.dataset.test_subset, 200);
  EXPECT_EQ(t.epochs, 7);
  EXPECT_EQ(t.batch_size, 64);
  EXPECT_EQ(t.loss, LossKind::Mse);
  EXPECT_EQ(t.optimizer.lr, 0.05);
  EXPECT_EQ(t.optimizer.momentum, 0.9);
  EXPECT_TRUE(t.optimizer.nesterov);
  EXPECT_EQ(t.optimizer.weight_decay, 5e-4);
  EXPECT_EQ(t.schedule.kind, ScheduleKind::Step);
  EXPECT_EQ(t.schedule.step_size, 3);
  EXPECT_EQ(t.schedule.gamma, 0.5);
  EXPECT_EQ(t.schedule.pointer, "/train/lr_schedule");
  EXPECT_FALSE(t.shuffle);
  EXPECT_TRUE(t.drop_last);
  EXPECT_EQ(t.eval_batch_size, 500);
  EXPECT_EQ(t.checkpoint_every, 100);
  EXPECT_EQ(t.probe_batch, 32);
}

TEST(TrainConfig, DatasetStatisticsDefaultPerDataset) {
  const TrainConfig m = train_of(
      std::string(
          R"("dataset": {"name": "mnist", "dir": "m"}, "epochs": 1, )") +
      kSgd);
  EXPECT_EQ(m.dataset.mean, std::vector<double>{0.1307});
  EXPECT_EQ(m.dataset.std, std::vector<double>{0.3081});
  const TrainConfig f = train_of(
      std::string(R"("dataset": {"mean": 0.1}, "epochs": 1, )") + kSgd);
  EXPECT_EQ(f.dataset.mean, std::vector<double>{0.1});
  EXPECT_EQ(
      f.dataset.std,
      std::vector<double>{0.3530});  // the other one keeps its default
}

TEST(TrainConfig, RelativeDatasetDirStartsAtTheConfigDirectory) {
  const auto dir_of = [](const std::string& dir) {
    return train_of(
               R"("dataset": {"dir": ")" + dir + R"("}, "epochs": 1, )" + kSgd)
        .dataset.dir;
  };
  EXPECT_EQ(dir_of("data/fm"), fs::path("/base/dir/data/fm"));
  EXPECT_EQ(dir_of("../fm"), fs::path("/base/fm"));
  EXPECT_EQ(dir_of("/abs/fm"), fs::path("/abs/fm"));
  // load_config: the file's directory, not the current one.
  const testing::TempDir tmp;
  const fs::path file = tmp.write(
      "c.json",
      config_text(
          std::string(R"({"dataset": {"dir": "fm"}, "epochs": 1, )") + kSgd +
          "}"));
  EXPECT_EQ(load_config(file).train->dataset.dir, tmp.path() / "fm");
}

TEST(TrainConfig, Cifar10TakesItsDirAndPerChannelStatistics) {
  const TrainConfig c = train_of(
      std::string(R"("dataset": {"name": "cifar10", "dir": "cifar"},
                     "epochs": 1, )") +
      kSgd);
  EXPECT_EQ(c.dataset.kind, DatasetKind::Cifar10);
  EXPECT_EQ(c.dataset.dir, fs::path("/base/dir/cifar"));
  EXPECT_EQ(c.dataset.mean, (std::vector<double>{0.4914, 0.4822, 0.4465}));
  EXPECT_EQ(c.dataset.std, (std::vector<double>{0.2470, 0.2435, 0.2616}));
  const TrainConfig n = train_of(
      std::string(R"("dataset": {"name": "cifar10", "dir": "/c",
                     "normalize": {"mean": [0.5], "std": [0.5, 0.25, 1]}},
                     "epochs": 1, )") +
      kSgd);
  EXPECT_EQ(n.dataset.mean, std::vector<double>{0.5});
  EXPECT_EQ(n.dataset.std, (std::vector<double>{0.5, 0.25, 1.0}));
  EXPECT_EQ(n.dataset.normalize_pointer, "/train/dataset/normalize");
}

TEST(TrainConfig, NpyNamesItsFilesRelativeToTheConfig) {
  const TrainConfig t = train_of(std::string(R"("dataset": {"name": "npy",
          "train": {"x": "d/x.npy", "y": "/abs/y.npy"},
          "test": {"x": "tx.npy", "y": "ty.npy"}, "train_subset": 10},
          "epochs": 1, )") + kSgd);
  EXPECT_EQ(t.dataset.kind, DatasetKind::Npy);
  EXPECT_EQ(t.dataset.train_files.x, fs::path("/base/dir/d/x.npy"));
  EXPECT_EQ(t.dataset.train_files.y, fs::path("/abs/y.npy"));
  EXPECT_EQ(t.dataset.test_files.x, fs::path("/base/dir/tx.npy"));
  EXPECT_EQ(t.dataset.test_files.y, fs::path("/base/dir/ty.npy"));
  EXPECT_TRUE(t.dataset.mean.empty());  // no statistics: the identity
  EXPECT_TRUE(t.dataset.std.empty());
  EXPECT_EQ(t.dataset.train_subset, 10);
  const TrainConfig s = train_of(
      std::string(R"("dataset": {"name": "npy",
          "train": {"x": "x", "y": "y"}, "test": {"x": "x", "y": "y"},
          "normalize": {"mean": [1, 2, 3, 4], "std": [2]}}, "epochs": 1, )") +
      kSgd);
  EXPECT_EQ(s.dataset.mean, (std::vector<double>{1, 2, 3, 4}));
}

TEST(TrainConfig, AugmentDefaultsOffAndReadsCropAndFlip) {
  const TrainConfig off = train_of(std::string(R"("epochs": 1, )") + kSgd);
  EXPECT_FALSE(off.augment.enabled());
  const TrainConfig a = train_of(
      std::string(R"("augment": {"random_crop": {"size": 32, "padding": 4},
                     "horizontal_flip": true}, "epochs": 1, )") +
      kSgd);
  EXPECT_TRUE(a.augment.enabled());
  EXPECT_TRUE(a.augment.random_crop);
  EXPECT_EQ(a.augment.crop_size, (std::array<std::int64_t, 2>{32, 32}));
  EXPECT_EQ(a.augment.padding, 4);
  EXPECT_TRUE(a.augment.horizontal_flip);
  EXPECT_EQ(a.augment.pointer, "/train/augment");
  const TrainConfig b = train_of(
      std::string(R"("augment": {"random_crop": {"size": [28, 24]}},
                     "epochs": 1, )") +
      kSgd);
  EXPECT_EQ(b.augment.crop_size, (std::array<std::int64_t, 2>{28, 24}));
  EXPECT_EQ(b.augment.padding, 0);
  EXPECT_FALSE(b.augment.horizontal_flip);
  const TrainConfig c = train_of(
      std::string(R"("augment": {"random_crop": {}, "horizontal_flip": false},
                     "epochs": 1, )") +
      kSgd);
  EXPECT_TRUE(c.augment.random_crop);
  EXPECT_FALSE(c.augment.crop_size.has_value());
}

TEST(TrainConfig, AdamAndAdamWFollowTorchDefaults) {
  const TrainConfig a =
      train_of(R"("epochs": 1, "optimizer": {"type": "adam"})");
  EXPECT_EQ(a.optimizer.kind, OptimizerKind::Adam);
  EXPECT_EQ(a.optimizer.lr, 1e-3);
  EXPECT_EQ(a.optimizer.beta1, 0.9);
  EXPECT_EQ(a.optimizer.beta2, 0.999);
  EXPECT_EQ(a.optimizer.eps, 1e-8);
  EXPECT_EQ(a.optimizer.weight_decay, 0.0);
  EXPECT_FALSE(a.optimizer.amsgrad);
  const TrainConfig w =
      train_of(R"("epochs": 1, "optimizer": {"type": "adamw"})");
  EXPECT_EQ(w.optimizer.kind, OptimizerKind::AdamW);
  EXPECT_EQ(w.optimizer.weight_decay, 0.01);
  const TrainConfig all = train_of(R"("epochs": 1, "optimizer": {
      "type": "adamw", "lr": 0.01, "betas": [0, 0.5], "eps": 0,
      "weight_decay": 0, "amsgrad": true})");
  EXPECT_EQ(all.optimizer.lr, 0.01);
  EXPECT_EQ(all.optimizer.beta1, 0.0);
  EXPECT_EQ(all.optimizer.beta2, 0.5);
  EXPECT_EQ(all.optimizer.eps, 0.0);
  EXPECT_EQ(all.optimizer.weight_decay, 0.0);  // explicit 0 wins
  EXPECT_TRUE(all.optimizer.amsgrad);
}

TEST(TrainConfig, SchedulesTakeTheirOwnArguments) {
  const TrainConfig step = train_of(
      std::string(
          R"("epochs": 9, "lr_schedule": {"type": "step", "step_size": 2}, )") +
      kSgd);
  EXPECT_EQ(step.schedule.gamma, 0.1);
  const TrainConfig cos = train_of(
      std::string(R"("epochs": 9, "lr_schedule": {"type": "cosine"}, )") +
      kSgd);
  EXPECT_EQ(cos.schedule.kind, ScheduleKind::Cosine);
  EXPECT_EQ(cos.schedule.t_max, 9);
  EXPECT_EQ(cos.schedule.eta_min, 0.0);
  const TrainConfig cos2 = train_of(
      std::string(R"("epochs": 9, "lr_schedule": {"type": "cosine",
                     "t_max": 20, "eta_min": 1e-4}, )") +
      kSgd);
  EXPECT_EQ(cos2.schedule.t_max, 20);
  EXPECT_EQ(cos2.schedule.eta_min, 1e-4);
  const TrainConfig constant = train_of(
      std::string(R"("epochs": 2, "lr_schedule": {"type": "constant"}, )") +
      kSgd);
  EXPECT_EQ(constant.schedule.kind, ScheduleKind::Constant);
}

TEST(TrainConfig, DefaultProbeBatchShrinksToTheTrainingSubset) {
  const TrainConfig t = train_of(
      std::string(R"("dataset": {"train_subset": 100}, "epochs": 1, )") + kSgd);
  EXPECT_EQ(t.probe_batch, 100);
  const TrainConfig big = train_of(
      std::string(R"("dataset": {"train_subset": 1000}, "epochs": 1, )") +
      kSgd);
  EXPECT_EQ(big.probe_batch, 256);
}

TEST(TrainConfig, JsonKeepsTheWholeConfigCompact) {
  const std::string text = config_text(
      std::string(R"({"epochs": 1, )") + kSgd + R"(, "loss": "mse"})");
  const ModelConfig c = parse_config(text, "t.json", ".");
  EXPECT_EQ(c.json.find('\n'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(c.json), nlohmann::json::parse(text));
}

TEST(TrainConfig, ExampleConfigsTrainLikeTheIssue) {
  for (const auto& [file, epochs] :
       {std::pair{"mlp.json", 5}, std::pair{"cnn.json", 3}}) {
    SCOPED_TRACE(file);
    const ModelConfig c = load_config(kConfigs / file);
    ASSERT_TRUE(c.train.has_value());
    EXPECT_EQ(c.train->dataset.name, "fashion-mnist");
    EXPECT_EQ(c.train->epochs, epochs);
    EXPECT_EQ(c.train->batch_size, 128);
    EXPECT_EQ(c.train->loss, LossKind::CrossEntropy);
    EXPECT_EQ(c.train->optimizer.kind, OptimizerKind::Sgd);
    EXPECT_EQ(c.train->optimizer.lr, 0.1);
    EXPECT_EQ(c.train->optimizer.momentum, 0.9);
    // PyTorch's default init: no explicit init anywhere.
    EXPECT_TRUE(c.init_rules.empty());
    for (const LayerConfig& layer : c.layers) EXPECT_TRUE(layer.init.empty());
  }
}

TEST(TrainConfig, ErrorsNameTheFileAndPointer) {
  EXPECT_EQ(
      error_of(R"({"epochs": 1, "optimizer": {"type": "sgd", "lr": -1}})"),
      "/train/optimizer/lr|t.json: /train/optimizer/lr: expected a number >= "
      "0; got -1");
}

}  // namespace
}  // namespace initforge
