// SPDX-License-Identifier: Apache-2.0
// `initforge train` through the real binary on a tiny MLP and 512/256
// Fashion-MNIST samples: the run directory, the epoch lines, resume,
// experiments with variants, divergence, refusals and plots.
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/io/safetensors.h"
#include "framework/io/tensor_checksums.h"

#include "tests/tools/model_cli_util.h"
#include "tests/tools/run_cli.h"
#include "tests/tools/train_cli_util.h"
#include "tests/train/data_files.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using namespace testing;  // initforge::testing: train_cli_util.h
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The epoch line of a pipe: fixed fields, 4 decimals, seconds with one.
const std::regex kEpochLine(
    "epoch [0-9]+/[0-9]+  train_loss [0-9.]+  train_acc [0-9.]+  test_loss "
    "[0-9.]+  test_acc [0-9.]+  [0-9]+\\.[0-9] s");

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!dataset_installed()) GTEST_SKIP() << "no " << kDatasetDir;
  }
  TempDir tmp_;
};

TEST_F(TrainCli, TrainsIntoRunDirectoryWithEveryFile) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path run = tmp_ / "run";
  const CliResult r = train_cli({config.string(), "--out", run.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // no terminal: no progress bar

  const std::vector<std::string> out = lines(r.out);
  std::vector<std::string> epoch_lines;
  for (const std::string& l : out) {
    if (l.starts_with("epoch ")) epoch_lines.push_back(l);
  }
  ASSERT_EQ(epoch_lines.size(), 2u) << r.out;
  EXPECT_THAT(epoch_lines[0], StartsWith("epoch 1/2  train_loss "));
  EXPECT_THAT(epoch_lines[1], StartsWith("epoch 2/2  train_loss "));
  for (const std::string& l : epoch_lines) {
    EXPECT_TRUE(std::regex_match(l, kEpochLine)) << l;
  }
  EXPECT_THAT(r.out, HasSubstr("training tiny_mlp -> " + run.string()));
  EXPECT_THAT(r.out, Not(HasSubstr("\r")));

  const std::vector<std::string> metrics =
      lines(read_text(run / "metrics.csv"));
  ASSERT_EQ(metrics.size(), 3u);
  EXPECT_EQ(metrics[0], kMetricsHeader);
  EXPECT_THAT(metrics[1], StartsWith("1,"));
  EXPECT_THAT(metrics[2], StartsWith("2,"));
  for (int row = 1; row <= 2; ++row) {
    const std::vector<double> v = csv_numbers(metrics[row]);
    ASSERT_GE(v.size(), 6u);
    EXPECT_GT(v[1], 0.0);  // train_loss
    EXPECT_GT(v[2], 0.1);  // train_acc beyond chance
    EXPECT_LE(v[2], 1.0);
    EXPECT_GT(v[4], 0.1);  // test_acc
    EXPECT_GT(v[5], 0.0);  // seconds
  }
  // The second epoch learns: 512 samples at lr 0.1 are plenty for that.
  EXPECT_LT(csv_numbers(metrics[2])[1], csv_numbers(metrics[1])[1]);

  const json summary = json::parse(read_text(run / "summary.json"));
  for (const char* key : kSummaryKeys) {
    EXPECT_TRUE(summary.contains(key)) << key << " in " << summary.dump();
  }
  EXPECT_EQ(summary["seed"], 3);
  EXPECT_EQ(summary["status"], "finished");
  EXPECT_EQ(summary["metrics"].size(), 2u);
  const std::vector<std::string> probes = lines(read_text(run / "probes.csv"));
  ASSERT_GE(probes.size(), 2u);
  EXPECT_THAT(probes[0], HasSubstr("activation_std"));
  EXPECT_TRUE(fs::exists(run / "checkpoint"));
  const SafetensorsFile weights =
      read_verified_safetensors(run / "weights.safetensors");
  EXPECT_EQ(weights.tensors.size(), 4u);       // fc1/fc2 weight and bias
  EXPECT_FALSE(fs::exists(run / "loss.png"));  // --no-plot
}

TEST_F(TrainCli, ResumeAfterFinishedRunChangesNothing) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path run = tmp_ / "run";
  ASSERT_EQ(train_cli({config.string(), "--out", run.string()}).exit_code, 0);
  const std::string metrics = read_text(run / "metrics.csv");
  const std::string weights = read_text(run / "weights.safetensors");

  const CliResult r = train_cli({config.string(), "--resume", run.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("already finished (2 epochs)"));
  EXPECT_EQ(read_text(run / "metrics.csv"), metrics);
  EXPECT_EQ(read_text(run / "weights.safetensors"), weights);

  // Options are part of the config a run records: others are refused.
  const CliResult other =
      train_cli({config.string(), "--resume", run.string(), "--epochs", "3"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(
      error_line(other),
      HasSubstr("differs at /train/epochs (the run's: 2; now: 3)"));
  // An experiment does not resume into a single run's directory.
  const fs::path exp = tmp_.write("exp.json", tiny_config(kTwoVariants));
  const CliResult layout = train_cli({exp.string(), "--resume", run.string()});
  EXPECT_EQ(layout.exit_code, 2);
  EXPECT_THAT(error_line(layout), HasSubstr("it holds a single run, but"));
  EXPECT_EQ(read_text(run / "metrics.csv"), metrics);
}

TEST_F(TrainCli, ResumeAfterStopEqualsUninterruptedRun) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path whole = tmp_ / "whole", cut = tmp_ / "cut";
  ASSERT_EQ(train_cli({config.string(), "--out", whole.string()}).exit_code, 0);
  // 512 samples / batch 64 = 8 steps an epoch: stop inside the second.
  const CliResult stop = train_cli(
      {config.string(), "--out", cut.string(), "--stop-after-steps", "11"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_THAT(stop.out, HasSubstr("continue with --resume " + cut.string()));
  ASSERT_EQ(lines(read_text(cut / "metrics.csv")).size(), 2u);

  const CliResult resumed =
      train_cli({config.string(), "--resume", cut.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.out, HasSubstr("epoch 2/2"));
  EXPECT_EQ(
      without_seconds(read_text(cut / "metrics.csv")),
      without_seconds(read_text(whole / "metrics.csv")));
  EXPECT_EQ(
      read_text(cut / "weights.safetensors"),
      read_text(whole / "weights.safetensors"));
}

TEST_F(TrainCli, VariantsTrainIntoSubdirectoriesAndCompare) {
  const fs::path config = tmp_.write("exp.json", tiny_config(kTwoVariants));
  const fs::path run = tmp_ / "exp";
  const CliResult r =
      train_cli({config.string(), "--out", run.string(), "--epochs", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("variant kaiming (1/2)"));
  EXPECT_THAT(r.out, HasSubstr("variant small (2/2)"));
  for (const char* v : {"kaiming", "small"}) {
    SCOPED_TRACE(v);
    EXPECT_EQ(lines(read_text(run / v / "metrics.csv")).size(), 2u);
    EXPECT_TRUE(fs::exists(run / v / "weights.safetensors"));
    // --epochs is recorded in what ran.
    const json s = json::parse(read_text(run / v / "summary.json"));
    EXPECT_EQ(s["config"]["train"]["epochs"], 1) << s["config"].dump();
  }
  const std::vector<std::string> rows =
      lines(read_text(run / "comparison.csv"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], kComparisonHeader);
  EXPECT_THAT(rows[1], StartsWith("kaiming,"));
  EXPECT_THAT(rows[2], StartsWith("small,"));
  EXPECT_THAT(rows[1], ::testing::EndsWith(",0,1"));  // not diverged, 1 epoch
  EXPECT_THAT(r.out, HasSubstr("best_test_acc"));     // the printed table

  // Resuming the finished experiment trains nothing and compares again.
  const CliResult again =
      train_cli({config.string(), "--resume", run.string(), "--epochs", "1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, Not(HasSubstr("epoch 1/1")));
  EXPECT_EQ(lines(read_text(run / "comparison.csv")), rows);
}

TEST_F(TrainCli, DivergedVariantIsMarkedAndTheNextOneStillRuns) {
  const fs::path config = tmp_.write("exp.json", tiny_config(kDiverging));
  const fs::path run = tmp_ / "exp";
  const CliResult r =
      train_cli({config.string(), "--out", run.string(), "--epochs", "1"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.err, StartsWith("error: "));
  EXPECT_THAT(r.err, HasSubstr("step"));
  const std::vector<std::string> rows =
      lines(read_text(run / "comparison.csv"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[1], StartsWith("explodes,"));
  EXPECT_THAT(rows[1], ::testing::EndsWith(",1,0"));  // diverged in epoch 1
  EXPECT_THAT(rows[2], StartsWith("fine,"));
  EXPECT_THAT(rows[2], ::testing::EndsWith(",0,1"));
}

TEST_F(TrainCli, RefusesToOverwriteAnExistingRun) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path run = tmp_ / "run";
  ASSERT_EQ(train_cli({config.string(), "--out", run.string()}).exit_code, 0);
  const std::string metrics = read_text(run / "metrics.csv");
  const CliResult r = train_cli({config.string(), "--out", run.string()});
  EXPECT_EQ(r.exit_code, 2);
  const std::string line = error_line(r);
  EXPECT_THAT(line, HasSubstr(run.string() + " already holds a training run"));
  EXPECT_THAT(line, HasSubstr("--resume " + run.string()));
  EXPECT_EQ(read_text(run / "metrics.csv"), metrics);
}

// fc2.bias from the NaN-writing fixture plugin: refused by default.
TEST_F(TrainCli, NanWritingPluginIsRefusedUnlessNoCheckFinite) {
  std::string text = tiny_config();
  const std::string input = R"("input": [1, 28, 28],)";
  const std::string fixtures =
      (fs::path(INITFORGE_FIXTURE_DIR) / "fixture_nan").string();
  text.replace(
      text.find(input),
      input.size(),
      input + R"( "plugins": {"paths": [")" + fixtures +
          R"("]}, "init_rules": [{"pattern": "fc2.bias",)"
          R"( "scheme": "fixture_nan"}],)");
  const fs::path config = tmp_.write("nan.json", text);
  const CliResult r = train_cli(
      {config.string(),
       "--out",
       (tmp_ / "checked").string(),
       "--epochs",
       "1",
       "--trust-config-plugins"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(
      error_line(r),
      HasSubstr(
          "plugin " + fixtures +
          "/libfixture_nan.so: fc2.bias: scheme \"fixture_nan\" wrote 1 "
          "non-finite value(s) (NaN or Inf) of "
          "10; the first at index 3: nan"));
  // Unchecked, the NaN reaches the loss: the run diverges instead.
  const CliResult unchecked = train_cli(
      {config.string(),
       "--out",
       (tmp_ / "unchecked").string(),
       "--epochs",
       "1",
       "--trust-config-plugins",
       "--no-check-finite"});
  EXPECT_EQ(unchecked.exit_code, 4) << unchecked.err;
  EXPECT_THAT(unchecked.err, Not(HasSubstr("non-finite value(s)")));
}

TEST_F(TrainCli, DefaultRunDirectoryIsRunsSlashConfigFileName) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  ASSERT_EQ(
      run_cli_in(
          tmp_.path(),
          {"train",
           "tiny.json",
           "--epochs",
           "1",
           "--no-plot",
           "--threads",
           "1"}),
      0);
  EXPECT_TRUE(fs::exists(tmp_ / "runs" / "tiny" / "metrics.csv"));
  EXPECT_TRUE(fs::exists(tmp_ / "runs" / "tiny" / "weights.safetensors"));
}

TEST_F(TrainCli, MissingDatasetNamesThePathAndTheDebianPackage) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path nowhere = tmp_ / "no_such_dir";
  const CliResult r = train_cli(
      {config.string(),
       "--out",
       (tmp_ / "run").string(),
       "--data-dir",
       nowhere.string()});
  EXPECT_EQ(r.exit_code, 2);
  const std::string line = error_line(r);
  EXPECT_THAT(line, HasSubstr(nowhere.string() + "/train-images-idx3"));
  EXPECT_THAT(line, HasSubstr("dataset-fashion-mnist"));
  EXPECT_FALSE(fs::exists(tmp_ / "run"));
}

TEST(TrainCliErrors, BadTrainSectionNamesTheJsonPointer) {
  TempDir tmp;
  std::string text = tiny_config();
  text.replace(text.find("\"epochs\": 2"), 11, "\"epochs\": 0");
  const fs::path config = tmp.write("bad.json", text);
  const CliResult r = run_cli({"train", config.string(), "--no-plot"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(error_line(r), HasSubstr(config.string() + ": /train/epochs: "));
}

// A CIFAR-10 config on a directory of tiny batches the test writes.
std::string cifar_config(const fs::path& dir) {
  return R"({"name": "c", "input": [3, 32, 32],
    "layers": [{"name": "flatten", "type": "Flatten"},
               {"name": "fc", "type": "Linear", "out_features": 10}],
    "train": {"dataset": {"name": "cifar10", "dir": ")" +
         dir.string() + R"("},
      "augment": {"random_crop": {"padding": 4}, "horizontal_flip": true},
      "epochs": 1, "batch_size": 4, "probe_batch": 4,
      "optimizer": {"type": "sgd", "lr": 0.01}}})";
}

TEST(TrainCliErrors, BadCifarDataFileExitsTwoNamingIt) {
  TempDir tmp;
  const fs::path data = tmp / "cifar";
  fs::create_directories(data);
  write_cifar_dir(data, 2, 2);
  const fs::path config = tmp.write("c.json", cifar_config(data));
  // Trains on good files.
  EXPECT_EQ(
      train_cli({config.string(), "--out", (tmp / "ok").string()}).exit_code,
      0);
  // One byte short of three records.
  std::string bytes = cifar_records({1, 2, 3});
  bytes.pop_back();
  write_bytes(data / "data_batch_2.bin", bytes);
  CliResult r = train_cli({config.string(), "--out", (tmp / "bad").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(
      error_line(r),
      HasSubstr(
          (data / "data_batch_2.bin").string() +
          ": 9218 bytes; expected a non-zero multiple of 3073"));
  // A label beyond CIFAR-10's classes.
  write_bytes(data / "data_batch_2.bin", cifar_records({1, 12}));
  r = train_cli({config.string(), "--out", (tmp / "bad2").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(
      error_line(r),
      HasSubstr(
          (data / "data_batch_2.bin").string() +
          ": record 1 (byte 3073) has label 12; expected 0..9"));
  // A missing file fails before anything is created.
  fs::remove(data / "test_batch.bin");
  r = train_cli({config.string(), "--out", (tmp / "bad3").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(
      error_line(r),
      HasSubstr(
          config.string() + ": /train/dataset/dir: " +
          (data / "test_batch.bin").string() + ": CIFAR-10 file not found"));
  EXPECT_FALSE(fs::exists(tmp / "bad3"));
}

TEST(TrainCliErrors, ConfigWithoutTrainSectionIsRefused) {
  const std::string config = (testing::kConfigs / "resnet_block.json").string();
  const CliResult r = run_cli({"train", config, "--no-plot"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(error_line(r), HasSubstr(config + ": /train: missing"));
}

TEST(TrainCliErrors, BadOptionsAreUsageErrors) {
  TempDir tmp;
  const std::string config = tmp.write("tiny.json", tiny_config()).string();
  const auto fails = [&](std::vector<std::string> args,
                         const std::string& message) {
    args.insert(args.begin(), {"train", config});
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << message;
    EXPECT_THAT(error_line(r), HasSubstr(message));
  };
  fails({"--epochs", "0"}, "--epochs: expected an integer >= 1; got \"0\"");
  fails({"--train-subset", "-5"}, "--train-subset: expected an integer >= 1");
  fails({"--seed", "x"}, "--seed: expected an integer");
  fails(
      {"--resume", (tmp / "none").string()},
      "--resume " + (tmp / "none").string() + ": no training run there");
}

// Fine-tuning: --init-from loads the backbone a run saved, the new head is
// initialized as the config says, and the run's manifest says which is which.
TEST_F(TrainCli, InitFromLoadsTheBackboneAndInitializesTheNewHead) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path first = tmp_ / "first";
  ASSERT_EQ(
      train_cli({config.string(), "--out", first.string(), "--epochs", "1"})
          .exit_code,
      0);
  std::string text = tiny_config();
  text.replace(text.find(R"("name": "fc2")"), 13, R"("name": "head")");
  const fs::path tuned_config = tmp_.write("tuned.json", text);
  const fs::path weights = first / "weights.safetensors";
  const fs::path second = tmp_ / "second";
  const CliResult r = train_cli(
      {tuned_config.string(),
       "--out",
       second.string(),
       "--epochs",
       "1",
       "--init-from",
       weights.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const SafetensorsFile saved =
      read_safetensors(second / "weights.safetensors");
  std::map<std::string, std::string> sources;
  const json manifest =
      json::parse(saved.metadata.at("initforge.manifest"))["params"];
  for (const auto& [path, p] : manifest.items()) sources[path] = p["source"];
  const std::string loaded = "loaded from " + weights.string() + " (tensor ";
  EXPECT_EQ(sources["fc1.weight"], loaded + "fc1.weight) by --init-from");
  EXPECT_EQ(sources["fc1.bias"], loaded + "fc1.bias) by --init-from");
  EXPECT_EQ(sources["head.weight"], "default for Linear");

  const CliResult strict = train_cli(
      {tuned_config.string(),
       "--out",
       (tmp_ / "third").string(),
       "--init-from",
       weights.string(),
       "--strict-load"});
  EXPECT_EQ(strict.exit_code, 2);
  EXPECT_THAT(
      error_line(strict),
      HasSubstr("(--strict-load): no tensor \"head.weight\""));
}

TEST_F(TrainCli, PlotsWhenMatplotlibIsThere) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path run = tmp_ / "run";
  const CliResult r = run_cli(
      {"train",
       config.string(),
       "--out",
       run.string(),
       "--epochs",
       "1",
       "--threads",
       "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (!matplotlib_available()) {
    EXPECT_THAT(r.err, HasSubstr("note: plots skipped: "));
    GTEST_SKIP() << "no python3 with matplotlib: " << r.err;
  }
  EXPECT_THAT(r.out, HasSubstr("plots: "));
  for (const char* png : {"loss.png", "accuracy.png", "activation_std.png"}) {
    SCOPED_TRACE(png);
    EXPECT_EQ(read_text(run / png).substr(0, 4), "\x89PNG");
  }
}

TEST_F(TrainCli, ProgressBarOnTerminal) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const std::string tty = run_with_terminal_stderr(
      {"train",
       config.string(),
       "--out",
       (tmp_ / "run").string(),
       "--no-plot",
       "--epochs",
       "1",
       "--threads",
       "1"});
  EXPECT_THAT(tty, HasSubstr("\repoch 1/1 ["));
  EXPECT_THAT(tty, HasSubstr("] 8/8  loss "));
  EXPECT_THAT(tty, HasSubstr(" samples/s  ETA "));
}

}  // namespace
}  // namespace initforge
