// SPDX-License-Identifier: Apache-2.0
// The trainer's run directory: metrics.csv, probes.csv, summary.json and
// the checkpoint as written, and every error about them (resume without
// or with a corrupt or foreign checkpoint, unusable directory, configs the
// trainer cannot train).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"

#include "tests/train/trainer_test_util.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using testing::all_files;
using testing::expect_same_metrics;
using ::testing::HasSubstr;
using testing::kAdamW;
using testing::kBatchNormCnn;
using testing::kMlp;
using testing::kRunFiles;
using testing::kSgd;
using testing::kSteps;
using testing::make_config;
using ::testing::MatchesRegex;
using testing::Recorder;
using testing::run;
using testing::TempDir;

TEST(Trainer, ResumeWithAnotherConfigIsRefused) {
  const TempDir dir;
  run(make_config(kMlp, kSgd), dir.path(), false, 3);
  const ModelConfig other =
      make_config(kMlp, R"({"type": "sgd", "lr": 0.07, "momentum": 0.9})");
  try {
    run(other, dir.path(), true);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("checkpoint/state.safetensors"));
    EXPECT_THAT(e.what(), HasSubstr("belongs to another config"));
  }
}

TEST(Trainer, ResumeWithoutCheckpointIsIoErrorNamingIt) {
  const TempDir dir;
  try {
    run(make_config(kMlp, kSgd), dir.path(), true);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(
        e.what(), HasSubstr((dir / "checkpoint/state.safetensors").string()));
    EXPECT_THAT(e.what(), HasSubstr("no checkpoint to resume from"));
  }
}

TEST(Trainer, CorruptCheckpointIsIoErrorNamingIt) {
  const TempDir dir;
  const ModelConfig config = make_config(kMlp, kSgd);
  run(config, dir.path(), false, 2);
  const fs::path file = dir / "checkpoint/state.safetensors";
  const std::string bytes = testing::read_raw(file);
  testing::write_raw(file, bytes.substr(0, bytes.size() - 100));
  EXPECT_THROW(
      try { run(config, dir.path(), true); } catch (const IoError& e) {
        EXPECT_THAT(e.what(), HasSubstr(file.string()));
        throw;
      },
      IoError);
  // A safetensors file without the training state is no checkpoint either.
  write_safetensors(file, {}, {{"format", "pt"}});
  EXPECT_THROW(
      try { run(config, dir.path(), true); } catch (const IoError& e) {
        EXPECT_THAT(e.what(), HasSubstr(file.string()));
        EXPECT_THAT(e.what(), HasSubstr("initforge.train_state"));
        throw;
      },
      IoError);
}

TEST(Trainer, UnusableRunDirectoryIsIoErrorNamingIt) {
  const TempDir dir;
  const fs::path blocker = dir.write("file", "not a directory");
  try {
    run(make_config(kMlp, kSgd), blocker / "run");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr((blocker / "run").string()));
  }
}

TEST(Trainer, MissingTrainSectionIsConfigError) {
  ModelConfig config = make_config(kMlp, kSgd);
  config.train.reset();
  const TempDir dir;
  EXPECT_THROW(
      try { run(config, dir.path()); } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("tiny.json"));
        EXPECT_THAT(e.what(), HasSubstr("no \"train\" section"));
        throw;
      },
      ConfigError);
}

TEST(Trainer, ModelOutputOtherThanTenClassesIsConfigError) {
  const std::string layers =
      R"({"name": "flatten", "type": "Flatten"},
         {"name": "fc1", "type": "Linear", "out_features": 7})";
  const TempDir dir;
  EXPECT_THROW(
      try {
        run(make_config(layers, kSgd), dir.path());
      } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("/layers/1"));
        EXPECT_THAT(e.what(), HasSubstr("got [7]"));
        throw;
      },
      ConfigError);
  // Nothing that would make the directory look like a run.
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(Trainer, WritesMetricsProbesAndSummary) {
  const ModelConfig config = make_config(kMlp, kSgd, "", 2);
  const TempDir dir;
  Recorder recorder;
  const TrainResult result = run(config, dir.path(), false, 0, &recorder);
  EXPECT_EQ(all_files(dir.path()), kRunFiles);
  EXPECT_EQ(recorder.first_epoch, 1);
  EXPECT_EQ(recorder.steps, 2 * kSteps);
  EXPECT_EQ(recorder.epochs, 2);
  EXPECT_EQ(recorder.probes, 3);
  // The running mean after an epoch's last step is its train_loss.
  EXPECT_EQ(recorder.running_losses[kSteps - 1], result.epochs[0].train_loss);
  EXPECT_EQ(
      recorder.running_losses[2 * kSteps - 1], result.epochs[1].train_loss);

  std::istringstream metrics(testing::read_raw(dir / "metrics.csv"));
  std::string line;
  std::getline(metrics, line);
  EXPECT_EQ(line, "epoch,train_loss,train_acc,test_loss,test_acc,seconds");
  for (int epoch = 1; epoch <= 2; ++epoch) {
    ASSERT_TRUE(std::getline(metrics, line));
    EXPECT_THAT(line, MatchesRegex(std::to_string(epoch) + "(,[-0-9.e]+){5}"));
  }
  EXPECT_FALSE(std::getline(metrics, line));

  // Probes: epoch 0 (init) and after each epoch, every layer and parameter.
  ASSERT_EQ(result.probes.size(), 3u);
  for (std::size_t e = 0; e < result.probes.size(); ++e) {
    const ProbeStats& p = result.probes[e];
    EXPECT_EQ(p.epoch, static_cast<std::int64_t>(e));
    ASSERT_EQ(p.layers.size(), 4u);
    EXPECT_EQ(p.layers[1].layer, "fc1");
    EXPECT_EQ(p.layers[1].type, "Linear");
    ASSERT_EQ(p.params.size(), 4u);
    EXPECT_EQ(p.params[0].path, "fc1.weight");
    for (const LayerProbe& l : p.layers) {
      EXPECT_GT(l.activation_std, 0.0) << l.layer;
      EXPECT_GT(l.grad_std, 0.0) << l.layer;
    }
    for (const ParamProbe& q : p.params) EXPECT_GT(q.grad_std, 0.0) << q.path;
  }
  // Default Linear init: U(+-1/sqrt(784)) has std 1/sqrt(3 * 784).
  EXPECT_NEAR(
      result.probes[0].params[0].value_std, 1 / std::sqrt(3.0 * 784), 2e-4);
  // Cross-entropy of ten near-uniform logits at init.
  EXPECT_NEAR(result.probes[0].loss, std::log(10.0), 0.3);
  const std::string probes = testing::read_raw(dir / "probes.csv");
  EXPECT_EQ(
      probes.substr(0, probes.find('\n')),
      "epoch,kind,name,type,activation_std,activation_mean,grad_std,value_std");
  EXPECT_EQ(std::count(probes.begin(), probes.end(), '\n'), 1 + 3 * (4 + 4));
  EXPECT_THAT(probes, HasSubstr("\n0,layer,fc1,Linear,"));
  EXPECT_THAT(probes, HasSubstr("\n2,param,fc2.bias,Linear,,,"));

  const auto summary =
      nlohmann::json::parse(testing::read_raw(dir / "summary.json"));
  EXPECT_EQ(summary.at("status"), "finished");
  EXPECT_EQ(summary.at("seed"), 11);
  EXPECT_EQ(summary.at("rng"), "philox");
  EXPECT_EQ(summary.at("config").at("name"), "tiny");
  EXPECT_EQ(summary.at("config").at("train").at("epochs"), 2);
  EXPECT_EQ(summary.at("versions").at("initforge"), "0.1.0");
  EXPECT_THAT(
      summary.at("versions").at("onednn").get<std::string>(),
      MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
  EXPECT_FALSE(
      summary.at("versions").at("compiler").get<std::string>().empty());
  EXPECT_GE(summary.at("threads").get<int>(), 1);
  EXPECT_EQ(summary.at("metrics").size(), 2u);
  EXPECT_EQ(summary.at("probes").size(), 3u);
  EXPECT_EQ(summary.at("metrics")[1].at("test_acc"), result.epochs[1].test_acc);
  EXPECT_EQ(summary.at("wall_times").at("epochs").size(), 2u);
  EXPECT_GT(summary.at("wall_times").at("total_seconds").get<double>(), 0.0);

  // The checkpoint: parameters by path, optimizer state, training state.
  const SafetensorsFile ckpt =
      read_safetensors(dir / "checkpoint/state.safetensors");
  EXPECT_NO_THROW(ckpt.at("fc1.weight"));
  EXPECT_NO_THROW(ckpt.at("optimizer/fc1.weight/momentum_buffer"));
  EXPECT_THAT(
      ckpt.metadata.at("initforge.train_state"),
      HasSubstr("\"epochs_done\":2"));
}

TEST(Trainer, ResumingAFinishedRunChangesNothing) {
  const ModelConfig config = make_config(kBatchNormCnn, kAdamW, "", 1);
  const TempDir dir;
  const TrainResult first = run(config, dir.path());
  const std::string weights = testing::read_raw(dir / "weights.safetensors");
  Recorder recorder;
  const TrainResult again = run(config, dir.path(), true, 0, &recorder);
  EXPECT_EQ(recorder.steps, 0);
  expect_same_metrics(again.epochs, first.epochs);
  EXPECT_EQ(testing::read_raw(dir / "weights.safetensors"), weights);
}

TEST(TrainStateJson, RoundTripsEveryValueExactly) {
  TrainState st;
  st.config_hash = "fnv1a64:0123456789abcdef";
  st.model = "m";
  st.epochs_done = 1;
  st.step = 3;
  st.global_step = 11;
  st.loss_sum = 0.1 + 0.2;  // not a short decimal
  st.correct = 7;
  st.samples = 9;
  st.metrics.push_back(
      {.epoch = 1,
       .train_loss = std::nextafter(1.0, 2.0),
       .test_loss = std::numeric_limits<double>::infinity(),
       .test_acc = std::numeric_limits<double>::quiet_NaN()});
  st.times.push_back({.epoch = 1, .train = 1.5});
  st.probes.push_back(
      {.epoch = 0,
       .loss = 2.3,
       .layers = {{"fc1", "Linear", 1e-300, -0.5, 3.0}},
       .params = {{"fc1.weight", 0.25, 1e-9}}});
  const TrainState back = parse_train_state(train_state_json(st), "w");
  EXPECT_EQ(back.loss_sum, st.loss_sum);
  EXPECT_EQ(back.step, 3);
  EXPECT_EQ(back.global_step, 11);
  ASSERT_EQ(back.metrics.size(), 1u);
  EXPECT_EQ(back.metrics[0].train_loss, st.metrics[0].train_loss);
  EXPECT_EQ(back.metrics[0].test_loss, st.metrics[0].test_loss);
  EXPECT_TRUE(std::isnan(back.metrics[0].test_acc));
  ASSERT_EQ(back.probes.size(), 1u);
  EXPECT_EQ(back.probes[0].layers[0].activation_std, 1e-300);
  EXPECT_EQ(back.probes[0].params[0].path, "fc1.weight");
  EXPECT_EQ(back.times[0].train, 1.5);
}

TEST(TrainStateJson, MalformedTextIsIoErrorNamingWhere) {
  for (const std::string text :
       {"{", "{}", R"({"format": "initforge.train_state/1"})", "[1]"}) {
    SCOPED_TRACE(text);
    EXPECT_THROW(
        try {
          parse_train_state(text, "ckpt.safetensors");
        } catch (const IoError& e) {
          EXPECT_THAT(e.what(), HasSubstr("ckpt.safetensors: malformed"));
          throw;
        },
        IoError);
  }
}

}  // namespace
}  // namespace initforge
