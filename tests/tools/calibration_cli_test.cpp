// SPDX-License-Identifier: Apache-2.0
// Data-dependent schemes through the real binary: `run` prints and --json
// includes the calibration log, `sample` refuses such a scheme, `validate`
// refuses an ordinary scheme in post_init, and the "train" source reads the
// dataset (skipped when Fashion-MNIST is not installed).
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/tools/model_cli_util.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::error_line;
using ::testing::HasSubstr;
using testing::kConfigs;
using testing::TempDir;

const fs::path kFashionMnist = "/usr/share/datasets/fashion-mnist";

// fc1 (Linear 16), relu, fc2 (Linear 10) on [1, 28, 28] plus `rest`.
std::string small_config(const std::string& rest) {
  return R"({"name": "small", "input": [1, 28, 28], "layers": [
      {"name": "flatten", "type": "Flatten"},
      {"name": "fc1", "type": "Linear", "out_features": 16},
      {"name": "relu", "type": "ReLU"},
      {"name": "fc2", "type": "Linear", "out_features": 10}], )" +
         rest + "}";
}

TEST(CalibrationCli, RunJsonIncludesTheCalibrationLog) {
  // fc1 by the lsuv rule; fc2 keeps its layer init and gets post_init's lsuv.
  const TempDir dir;
  const std::string config = dir.write(
      "c.json",
      R"({"name": "c", "input": [1, 28, 28], "layers": [
          {"name": "flatten", "type": "Flatten"},
          {"name": "fc1", "type": "Linear", "out_features": 16},
          {"name": "relu", "type": "ReLU"},
          {"name": "fc2", "type": "Linear", "out_features": 10,
           "init": {"weight": {"scheme": "kaiming_normal"}}}],
          "init_rules": [{"pattern": "Linear.weight", "scheme": "lsuv"}],
          "post_init": [{"pattern": "fc2.weight", "scheme": "lsuv"}]})");
  const CliResult r = run_cli({"run", config, "--batch", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  const json& log = out.at("calibration");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_THAT(log[0].get<std::string>(), HasSubstr("fc1.weight: lsuv: "));
  EXPECT_THAT(log[1].get<std::string>(), HasSubstr("fc2.weight: lsuv: "));
  for (const json& line : log) {
    EXPECT_THAT(line.get<std::string>(), HasSubstr("(converged"));
  }
  const json& fc1 = out.at("params").at(0);
  EXPECT_EQ(fc1.at("scheme"), "lsuv");
  EXPECT_EQ(fc1.at("source"), "rule 0 (Linear.weight)");
  const json& fc2 = out.at("params").at(2);
  EXPECT_EQ(fc2.at("path"), "fc2.weight");
  EXPECT_EQ(fc2.at("scheme"), "kaiming_normal");
  EXPECT_EQ(
      fc2.at("source"), "layer init, then lsuv by post_init 0 (fc2.weight)");
  EXPECT_TRUE(fc2.at("target").at("std").is_null());
}

TEST(CalibrationCli, RunPrintsTheCalibrationLogAndPlainModelsPrintNone) {
  const TempDir dir;
  const std::string config = dir.write(
      "c.json",
      small_config(
          R"("post_init": [{"pattern": "Linear.weight", "scheme": "lsuv"}])"));
  const CliResult r = run_cli({"run", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.out, HasSubstr("\ncalibration\n  fc1.weight: lsuv: output var "));
  EXPECT_THAT(r.out, HasSubstr("\n  fc2.weight: lsuv: output var "));

  const CliResult plain = run_cli({"run", (kConfigs / "mlp.json").string()});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, ::testing::Not(HasSubstr("calibration")));
}

TEST(CalibrationCli, SampleRefusesADataDependentScheme) {
  const CliResult r = run_cli({"sample", "lsuv", "--shape", "8,8"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(
      error_line(r),
      HasSubstr("scheme \"lsuv\" is data-dependent (it calibrates on a "
                "model's outputs), so it needs a model; use it in a config"));
}

TEST(CalibrationCli, ValidateRefusesAnOrdinarySchemeInPostInit) {
  const TempDir dir;
  const std::string config = dir.write(
      "c.json",
      small_config(
          R"("post_init": [{"pattern": "fc1.weight", "scheme": "zeros"}])"));
  const CliResult r = run_cli({"validate", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(
      error_line(r),
      HasSubstr(
          config + ": /post_init/0/scheme: \"zeros\" is not "
                   "data-dependent"));
}

TEST(CalibrationCli, TrainSourceReadsTheTrainingSplit) {
  const TempDir dir;
  const std::string missing = dir.write(
      "missing.json",
      small_config(
          R"("init_rules": [{"pattern": "Linear.weight", "scheme": "lsuv"}],
             "calibration": {"source": "train", "batch_size": 32},
             "train": {"dataset": {"dir": "no_such_dir"}, "epochs": 1,
                       "optimizer": {"type": "sgd", "lr": 0.1}})"));
  const CliResult r = run_cli({"run", missing});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(error_line(r), HasSubstr("train-images-idx3-ubyte.gz"));

  if (!fs::exists(kFashionMnist / "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed in " << kFashionMnist;
  }
  const std::string real = dir.write(
      "real.json",
      small_config(
          R"("init_rules": [{"pattern": "Linear.weight", "scheme": "lsuv"}],
             "calibration": {"source": "train", "batch_size": 32},
             "train": {"dataset": {"train_subset": 500}, "epochs": 1,
                       "optimizer": {"type": "sgd", "lr": 0.1}})"));
  const CliResult ok = run_cli({"run", real, "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(json::parse(ok.out).at("calibration").size(), 2u);
}

}  // namespace
}  // namespace initforge
