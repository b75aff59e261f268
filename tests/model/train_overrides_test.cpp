// SPDX-License-Identifier: Apache-2.0
// apply_train_overrides: every override reaches the structs and the
// recorded config text; t_max follows --epochs unless given; probe_batch
// shrinks to --train-subset; the refusals.
#include "framework/model/train_overrides.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/model/config_loader.h"

namespace initforge {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// A valid model training 2 epochs, with more train `fields` (JSON members).
ModelConfig with_train(const std::string& fields) {
  return parse_config(
      R"({"name": "t", "seed": 1, "input": [1, 2, 2],
          "layers": [{"name": "f", "type": "Flatten"}],
          "train": {"epochs": 2, "optimizer": {"type": "sgd", "lr": 0.1})" +
          (fields.empty() ? "" : ", " + fields) + "}}",
      "t.json",
      "/base/dir");
}

TEST(TrainOverrides, NoOverrideChangesNothing) {
  ModelConfig c = with_train("");
  const std::string before = c.json;
  apply_train_overrides(c, {});
  EXPECT_EQ(c.json, before);
  EXPECT_EQ(c.train->epochs, 2);
  EXPECT_EQ(c.seed, 1u);
}

TEST(TrainOverrides, EveryOverrideReachesStructsAndText) {
  ModelConfig c = with_train("");
  apply_train_overrides(
      c,
      {.epochs = 7,
       .seed = 42,
       .train_subset = 1000,
       .test_subset = 500,
       .data_dir = "/data/fm"});
  EXPECT_EQ(c.train->epochs, 7);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.train->dataset.train_subset, 1000);
  EXPECT_EQ(c.train->dataset.test_subset, 500);
  EXPECT_EQ(c.train->dataset.dir, "/data/fm");
  EXPECT_EQ(c.train->probe_batch, 256);  // fits: unchanged
  const json j = json::parse(c.json);
  EXPECT_EQ(j["train"]["epochs"], 7);
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["train"]["dataset"]["train_subset"], 1000);
  EXPECT_EQ(j["train"]["dataset"]["test_subset"], 500);
  EXPECT_EQ(j["train"]["dataset"]["dir"], "/data/fm");
  EXPECT_FALSE(j["train"].contains("probe_batch"));
  // Compact, like the loader's text: equal configs give equal text.
  EXPECT_EQ(c.json, j.dump());
}

TEST(TrainOverrides, CosineTMaxFollowsEpochsOnlyWhenUnset) {
  ModelConfig unset = with_train(R"("lr_schedule": {"type": "cosine"})");
  apply_train_overrides(unset, {.epochs = 6});
  EXPECT_EQ(unset.train->schedule.t_max, 6);
  EXPECT_FALSE(json::parse(unset.json)["train"]["lr_schedule"].contains(
      "t_max"));  // recorded as "follows epochs"

  ModelConfig given =
      with_train(R"("lr_schedule": {"type": "cosine", "t_max": 4})");
  apply_train_overrides(given, {.epochs = 6});
  EXPECT_EQ(given.train->schedule.t_max, 4);
  EXPECT_EQ(given.train->epochs, 6);
}

TEST(TrainOverrides, ProbeBatchShrinksToTheTrainSubset) {
  ModelConfig dflt = with_train("");
  apply_train_overrides(dflt, {.train_subset = 100});
  EXPECT_EQ(dflt.train->probe_batch, 100);
  EXPECT_FALSE(json::parse(dflt.json)["train"].contains("probe_batch"));

  ModelConfig given = with_train(R"("probe_batch": 64)");
  apply_train_overrides(given, {.train_subset = 50});
  EXPECT_EQ(given.train->probe_batch, 50);
  EXPECT_EQ(json::parse(given.json)["train"]["probe_batch"], 50);
}

TEST(TrainOverrides, ASubsetBelowTheBatchWithDropLastIsRefused) {
  ModelConfig c = with_train(R"("batch_size": 64, "drop_last": true)");
  const std::string before = c.json;
  try {
    apply_train_overrides(c, {.train_subset = 10});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(
        e.what(),
        "--train-subset 10: smaller than t.json's batch_size 64 with "
        "drop_last: no batch would be left to train on");
  }
  EXPECT_EQ(c.json, before);
  // Without drop_last the one short batch trains.
  ModelConfig keep = with_train(R"("batch_size": 64)");
  apply_train_overrides(keep, {.train_subset = 10});
  EXPECT_EQ(keep.train->dataset.train_subset, 10);
}

TEST(TrainOverrides, DataDirOnAnNpyDatasetIsRefused) {
  ModelConfig c = with_train(
      R"("dataset": {"name": "npy", "train": {"x": "x", "y": "y"},
                     "test": {"x": "x", "y": "y"}})");
  try {
    apply_train_overrides(c, {.data_dir = "/data"});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr("--data-dir: t.json's npy dataset names its files"));
  }
  // A CIFAR-10 directory can be overridden like Fashion-MNIST's.
  ModelConfig cifar =
      with_train(R"("dataset": {"name": "cifar10", "dir": "c"})");
  apply_train_overrides(cifar, {.data_dir = "/data/cifar"});
  EXPECT_EQ(cifar.train->dataset.dir, "/data/cifar");
}

TEST(TrainOverrides, AConfigWithoutTrainSectionIsRefused) {
  ModelConfig c = parse_config(
      R"({"name": "t", "input": [4],
          "layers": [{"name": "f", "type": "Flatten"}]})",
      "n.json",
      ".");
  try {
    apply_train_overrides(c, {.epochs = 2});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("n.json: "));
    EXPECT_THAT(e.what(), HasSubstr("no \"train\" section"));
  }
}

TEST(TrainOverrides, AConfigBuiltInCodeKeepsItsEmptyText) {
  ModelConfig c = with_train("");
  c.json.clear();
  apply_train_overrides(c, {.epochs = 2, .seed = 9});
  EXPECT_EQ(c.json, "");
  EXPECT_EQ(c.train->epochs, 2);
  EXPECT_EQ(c.seed, 9u);
}

}  // namespace
}  // namespace initforge
