// SPDX-License-Identifier: Apache-2.0
// `initforge validate` / `run` refusing bad input through the real binary:
// the malformed-config corpus (tests/data/bad_configs/expected.json), shape
// mismatches, memory refusal, bad options and plugins. Each exits 2 (3 for
// plugins) with one "error: " line naming the file and JSON pointer.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/tools/model_cli_util.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

using nlohmann::json;
using testing::error_line;
using ::testing::HasSubstr;
using testing::kBadConfigs;
using testing::kConfigs;
using ::testing::StartsWith;
using testing::TempDir;

struct BadConfig {
  std::string file, pointer, message;
  std::string variant;  // "": the error is not in a merged variant
};
void PrintTo(const BadConfig& c, std::ostream* os) {
  *os << c.file;
}

std::vector<BadConfig> bad_configs() {
  std::ifstream in(kBadConfigs / "expected.json");
  std::vector<BadConfig> out;
  const json table = json::parse(in);
  for (const auto& [file, e] : table.items()) {
    out.push_back(
        {file, e.at("pointer"), e.at("message"), e.value("variant", "")});
  }
  return out;
}

class BadConfigCli : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigCli, ValidateExitsTwoWithThePointerOnOneLine) {
  const BadConfig& c = GetParam();
  const std::string path = (kBadConfigs / c.file).string();
  const std::string label =
      c.variant.empty() ? path : path + " (variant " + c.variant + ")";
  const CliResult r = run_cli({"validate", path});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  const std::string line = error_line(r);
  EXPECT_THAT(
      line,
      StartsWith(
          "error: " + label + ": " +
          (c.pointer.empty() ? "" : c.pointer + ": ")));
  EXPECT_THAT(line, HasSubstr(c.message));
}

INSTANTIATE_TEST_SUITE_P(
    Corpus,
    BadConfigCli,
    ::testing::ValuesIn(bad_configs()),
    [](const auto& param_info) {
      const std::string& file = param_info.param.file;
      std::string name = file.substr(0, file.size() - 5);
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(ModelCli, ShapeMismatchNamesTheLayerAndSuggestsTheFix) {
  const TempDir dir;
  const std::string config =
      dir.write("x.json", R"({"name": "x", "input": [1, 28, 28],
      "layers": [{"name": "conv", "type": "Conv2d", "out_channels": 32, "kernel_size": 3},
                 {"name": "pool", "type": "MaxPool2d", "kernel_size": 4},
                 {"name": "fc", "type": "Linear", "out_features": 10}]})");
  for (const char* command : {"validate", "run"}) {
    const CliResult r = run_cli({command, config});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(
        error_line(r),
        "error: " + config +
            ": /layers/2: Linear: expected a flat input [in_features] per "
            "sample; got "
            "[32, 6, 6]; add a Flatten layer before it\n");
  }
}

TEST(ModelCli, AHugeLinearIsRefusedWithItsSizeNotACrash) {
  const TempDir dir;
  const std::string config =
      dir.write("huge.json", R"({"name": "huge", "input": [10000000],
      "layers": [{"name": "fc", "type": "Linear", "out_features": 10000000}]})");
  for (const char* command : {"validate", "run"}) {
    const CliResult r = run_cli({command, config});
    EXPECT_EQ(r.exit_code, 2) << command;
    const std::string line = error_line(r);
    EXPECT_THAT(
        line,
        StartsWith(
            "error: " + config + ": /layers/0: the model needs 728 TiB ("));
    EXPECT_THAT(line, HasSubstr("bytes) for batch 8"));
    EXPECT_THAT(line, HasSubstr("available (MemAvailable)"));
  }
}

TEST(ModelCli, BadOptionsAndPluginsHaveTheirExitCodes) {
  const std::string config = (kConfigs / "mlp.json").string();
  const CliResult batch = run_cli({"run", config, "--batch", "0"});
  EXPECT_EQ(batch.exit_code, 2);
  EXPECT_THAT(
      error_line(batch), HasSubstr("--batch: expected an integer >= 1"));
  const CliResult rng = run_cli({"run", config, "--rng", "mt"});
  EXPECT_EQ(rng.exit_code, 2);
  EXPECT_EQ(
      error_line(rng),
      "error: unknown rng \"mt\"; expected one of philox, torch\n");
  const CliResult seed = run_cli({"validate", config, "--batch", "x"});
  EXPECT_EQ(seed.exit_code, 2);
  EXPECT_EQ(
      error_line(seed),
      "error: --batch: expected an integer >= 1; got \"x\"\n");
  const CliResult missing = run_cli({"validate", "/no/such/config.json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(error_line(missing), HasSubstr("/no/such/config.json"));
  const CliResult plugin =
      run_cli({"validate", config, "--plugin-dir", "/no/such/dir"});
  EXPECT_EQ(plugin.exit_code, 3);
  EXPECT_THAT(error_line(plugin), HasSubstr("/no/such/dir"));
  // Without the built-in plugins the default schemes are missing.
  const CliResult none = run_cli({"validate", config, "--no-builtin-plugins"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(
      error_line(none),
      HasSubstr("/layers/1: default for Linear (kaiming_uniform for "
                "fc1.weight): unknown scheme \"kaiming_uniform\""));
}

TEST(ModelCli, ConfigPluginPathsAreLoadedOnceAndTheirErrorsExitThree) {
  const TempDir dir;
  const std::string fixtures = INITFORGE_FIXTURE_DIR;
  // The built-in directory again plus a fixture library that adds a scheme.
  const std::string config = dir.write(
      "p.json",
      R"({"name": "p", "input": [4], "plugins": {"paths": [")" +
          std::string(INITFORGE_TEST_PLUGIN_DIR) + R"(", ")" + fixtures +
          R"(/fixture_good"]},
          "layers": [{"name": "fc", "type": "Linear", "out_features": 3,
                      "init": {"weight": {"scheme": "fixture_const", "val": 0.25}}}]})");
  const CliResult r =
      run_cli({"run", config, "--json", "--trust-config-plugins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json weight = json::parse(r.out)["params"][0];
  EXPECT_EQ(weight["stats"]["mean"], 0.25);
  EXPECT_THAT(
      weight["library_path"].get<std::string>(), HasSubstr("fixture_good"));

  const std::string broken = dir.write(
      "b.json",
      R"({"name": "b", "input": [4], "plugins": {"paths": [")" + fixtures +
          R"(/fixture_wrong_abi"]},
          "layers": [{"name": "fc", "type": "Linear", "out_features": 3}]})");
  const CliResult bad = run_cli({"validate", broken, "--trust-config-plugins"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_THAT(error_line(bad), HasSubstr("fixture_wrong_abi"));
}

}  // namespace
}  // namespace initforge
