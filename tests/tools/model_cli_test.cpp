// SPDX-License-Identifier: Apache-2.0
// `initforge validate` and `initforge run` through the real binary: every
// example config, the weights file and the --input/--output contract.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "framework/io/npy.h"
#include "framework/io/safetensors.h"
#include "framework/io/tensor_checksums.h"

#include "tests/tools/model_cli_util.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

using nlohmann::json;
using testing::error_line;
using testing::example_configs;
using ::testing::HasSubstr;
using testing::kConfigs;
using ::testing::StartsWith;
using testing::TempDir;

bool finite(const json& stats) {
  return std::isfinite(stats["mean"].get<double>()) &&
         std::isfinite(stats["std"].get<double>());
}

class ExampleConfig : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleConfig, ValidatesAndRunsWithPlausibleStatistics) {
  const std::string config = (kConfigs / GetParam()).string();
  const CliResult v = run_cli({"validate", config});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out, StartsWith("ok: "));
  EXPECT_THAT(v.out, HasSubstr(" layers, "));

  const CliResult r = run_cli({"run", config, "--batch", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json out = json::parse(r.out);
  EXPECT_EQ(out["batch"], 3);
  EXPECT_EQ(out["output_shape"][0], 3);
  EXPECT_EQ(out["input_shape"][0], 3);
  ASSERT_GT(out["params"].size(), 0u);
  for (const json& p : out["params"]) {
    SCOPED_TRACE(p["path"].get<std::string>());
    EXPECT_TRUE(finite(p["stats"]));
    const json& target = p["target"];
    if (target["kind"] == "constant") {
      EXPECT_EQ(p["stats"]["std"], 0.0);
      EXPECT_EQ(p["stats"]["mean"], target["mean"]);
    } else if (!target["std"].is_null()) {
      // Loose: small biases have few elements; 10 sigma of the sample std.
      const double n = p["stats"]["count"].get<double>();
      const double want = target["std"].get<double>();
      EXPECT_NEAR(
          p["stats"]["std"].get<double>(), want, 10 * want / std::sqrt(2 * n));
    }
  }
  ASSERT_GT(out["layers"].size(), 0u);
  for (const json& l : out["layers"]) {
    SCOPED_TRACE(l["name"].get<std::string>());
    EXPECT_TRUE(finite(l["stats"]));
    EXPECT_GT(l["stats"]["std"].get<double>(), 0.0);
    EXPECT_EQ(l["output_shape"][0], 3);
  }
  EXPECT_EQ(out["output_shape"], out["layers"].back()["output_shape"]);
  EXPECT_GE(out["forward_ms"].get<double>(), 0.0);
}

INSTANTIATE_TEST_SUITE_P(
    Configs,
    ExampleConfig,
    ::testing::ValuesIn(example_configs()),
    [](const auto& param_info) {
      const std::string& file = param_info.param;
      std::string name = file.substr(0, file.size() - 5);
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(ModelCli, RunPrintsTheParameterAndLayerTablesAndTimes) {
  const CliResult r =
      run_cli({"run", (kConfigs / "mlp_custom_init.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("parameter "));
  EXPECT_THAT(r.out, HasSubstr("expected std"));
  EXPECT_THAT(r.out, HasSubstr("fc1.weight  [256, 784]"));
  EXPECT_THAT(
      r.out, HasSubstr("kaiming_uniform(a=0, mode=fan_in, nonlinearity=relu)"));
  EXPECT_THAT(r.out, HasSubstr("rule 0 (*.bias)"));
  EXPECT_THAT(r.out, HasSubstr("default for Linear"));
  EXPECT_THAT(r.out, HasSubstr("[8, 10]"));
  EXPECT_THAT(r.out, HasSubstr("forward "));
}

TEST(ModelCli, SaveWeightsWritesPathsAndAManifestPerParameter) {
  const TempDir dir;
  const std::string weights = dir / "w.safetensors";
  const CliResult r = run_cli(
      {"run",
       (kConfigs / "mlp_custom_init.json").string(),
       "--seed",
       "4",
       "--save-weights",
       weights});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("weights  " + weights));
  const SafetensorsFile file = read_verified_safetensors(weights);
  std::vector<std::string> names;
  for (const SafetensorsEntry& e : file.tensors) names.push_back(e.name);
  EXPECT_THAT(
      names,
      ::testing::UnorderedElementsAre(
          "fc1.weight",
          "fc1.bias",
          "fc2.weight",
          "fc2.bias",
          "fc3.weight",
          "fc3.bias"));
  EXPECT_EQ(file.at("fc1.weight").shape, (std::vector<std::int64_t>{256, 784}));
  const json m = json::parse(file.metadata.at("initforge.manifest"));
  EXPECT_EQ(m["rng"], "philox");
  EXPECT_EQ(m["seed"], 4);
  EXPECT_EQ(m["params"]["fc1.weight"]["scheme"], "kaiming_uniform");
  EXPECT_EQ(m["params"]["fc1.weight"]["source"], "layer init");
  EXPECT_EQ(m["params"]["fc1.bias"]["source"], "rule 0 (*.bias)");
  EXPECT_EQ(m["params"]["fc3.weight"]["source"], "default for Linear");
  EXPECT_THAT(
      m["params"]["fc3.weight"]["library_path"].get<std::string>(),
      HasSubstr("libinitforge_variance_scaling"));

  const std::string bn = dir / "bn.safetensors";
  ASSERT_EQ(
      run_cli({"run",
               (kConfigs / "resnet_block.json").string(),
               "--save-weights",
               bn})
          .exit_code,
      0);
  const SafetensorsFile with_bn = read_verified_safetensors(bn);
  EXPECT_EQ(with_bn.at("bn1.num_batches_tracked").dtype, "I64");
  EXPECT_EQ(with_bn.at("bn2.running_var").to_tensor().data()[0], 1.0f);
}

TEST(ModelCli, OutputAndInputFilesFollowTheBatchContract) {
  const TempDir dir;
  const std::string config = (kConfigs / "mlp.json").string();
  const std::string out = dir / "out.npy";
  ASSERT_EQ(
      run_cli({"run", config, "--batch", "5", "--output", out}).exit_code, 0);
  const Tensor y = read_npy(out);
  EXPECT_EQ(y.shape(), (Shape{5, 10}));

  // Feeding the same batch back gives the same output.
  const std::string in = dir / "in.npy";
  const Tensor x = Tensor::zeros(Shape{2, 1, 28, 28});
  write_npy(in, x.view());
  const std::string out2 = dir / "out2.npy";
  const CliResult r =
      run_cli({"run", config, "--input", in, "--output", out2, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["input"], in);
  EXPECT_EQ(read_npy(out2).shape(), (Shape{2, 10}));

  const std::string flat = dir / "flat.npy";
  write_npy(flat, Tensor::zeros(Shape{2, 784}).view());
  const CliResult bad = run_cli({"run", config, "--input", flat});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(
      error_line(bad),
      "error: --input " + flat +
          ": expected shape [N, 1, 28, 28] (a batch of the config's input [1, "
          "28, 28]); "
          "got [2, 784]\n");
  const CliResult clash =
      run_cli({"run", config, "--input", in, "--batch", "3"});
  EXPECT_EQ(clash.exit_code, 2);
  EXPECT_THAT(error_line(clash), HasSubstr("--batch 3 disagrees with --input"));
}

TEST(ModelCli, SeedAndRngOverridesAreDeterministic) {
  const std::string config = (kConfigs / "mlp.json").string();
  const auto output_mean = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", config, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const json out = json::parse(r.out);
    return std::make_pair(
        out["layers"].back()["stats"]["mean"].get<double>(), out);
  };
  const auto [a, out_a] = output_mean({"--seed", "1"});
  EXPECT_EQ(output_mean({"--seed", "1", "--threads", "1"}).first, a);
  EXPECT_NE(output_mean({"--seed", "2"}).first, a);
  const auto [t, out_t] = output_mean({"--seed", "1", "--rng", "torch"});
  EXPECT_NE(t, a);
  EXPECT_EQ(out_t["rng"], "torch");
  EXPECT_EQ(out_a["seed"], 1);
}

// --load-weights: a run's saved weights load back strictly (the same
// output from another seed), and a wrong file exits 2 naming it.
TEST(ModelCli, LoadWeightsRestoresASavedModel) {
  const TempDir dir;
  const std::string config = (kConfigs / "resnet_block.json").string();
  const std::string x = dir / "x.npy", w = dir / "w.safetensors";
  write_npy(x, Tensor::zeros(Shape{2, 16, 32, 32}).view());
  ASSERT_EQ(
      run_cli({"run",
               config,
               "--seed",
               "1",
               "--input",
               x,
               "--output",
               dir / "y1.npy",
               "--save-weights",
               w})
          .exit_code,
      0);
  const CliResult r = run_cli(
      {"run",
       config,
       "--seed",
       "2",
       "--input",
       x,
       "--output",
       dir / "y2.npy",
       "--load-weights",
       w,
       "--strict-load",
       "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Tensor y1 = read_npy(dir / "y1.npy"), y2 = read_npy(dir / "y2.npy");
  EXPECT_TRUE(
      std::equal(y1.span().begin(), y1.span().end(), y2.span().begin()));
  const json report = json::parse(r.out);
  for (const json& p : report["params"]) {
    EXPECT_THAT(
        p["source"].get<std::string>(),
        StartsWith(
            "loaded from " + w + " (tensor " + p["path"].get<std::string>() +
            ") by --load-weights"));
  }

  const CliResult strict_only = run_cli({"run", config, "--strict-load"});
  EXPECT_EQ(strict_only.exit_code, 2);
  EXPECT_EQ(
      error_line(strict_only),
      "error: --strict-load needs --load-weights FILE\n");
  const std::string mlp_weights = dir / "mlp.safetensors";
  ASSERT_EQ(
      run_cli({"run",
               (kConfigs / "mlp.json").string(),
               "--save-weights",
               mlp_weights})
          .exit_code,
      0);
  const CliResult wrong =
      run_cli({"run", config, "--load-weights", mlp_weights, "--strict-load"});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(
      error_line(wrong),
      StartsWith(
          "error: --load-weights " + mlp_weights + " (--strict-load): "));
  const CliResult absent =
      run_cli({"run", config, "--load-weights", dir / "absent.safetensors"});
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_THAT(error_line(absent), HasSubstr("absent.safetensors: cannot open"));
}

}  // namespace
}  // namespace initforge
