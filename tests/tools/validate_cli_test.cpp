// SPDX-License-Identifier: Apache-2.0
// `initforge validate` on experiment configs: the base and every variant
// are checked (schemes, shapes), a failing variant is named by its label.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/tools/model_cli_util.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

using ::testing::ElementsAre;
using testing::error_line;
using ::testing::HasSubstr;
using testing::kConfigs;
using ::testing::StartsWith;
using testing::TempDir;

// A valid model on input [4] whose "variants" are `variants` (JSON text).
std::string experiment(const std::string& variants) {
  return R"({"name": "e", "input": [4],
      "layers": [{"name": "fc", "type": "Linear", "out_features": 3}],
      "variants": )" +
         variants + "}";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos;
       start = end + 1) {
    out.push_back(text.substr(start, end - start));
  }
  return out;
}

TEST(ValidateCli, TheDeepReluExperimentValidatesEveryVariant) {
  const std::string config =
      (kConfigs / "experiments" / "deep_relu_init.json").string();
  const CliResult r = run_cli({"validate", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string shape =
      ": 62 layers, 62 parameters (2111498 elements), output shape [10]";
  EXPECT_THAT(
      lines_of(r.out),
      ElementsAre(
          "ok: deep_relu_init" + shape,
          "ok: deep_relu_init (variant kaiming_normal)" + shape,
          "ok: deep_relu_init (variant xavier_normal)" + shape,
          "ok: deep_relu_init (variant normal_0.01)" + shape,
          "ok: deep_relu_init (variant lsuv)" + shape));
}

TEST(ValidateCli, ExpandedPrintsAPlainConfigThatValidatesTheSame) {
  const std::string config = (kConfigs / "resnet20.json").string();
  const CliResult r = run_cli({"validate", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CliResult e = run_cli({"validate", "--expanded", config});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_THAT(e.out, HasSubstr("\"name\":\"layer2.0.downsample.0\""));
  EXPECT_EQ(e.out.find("\"blocks\""), std::string::npos);
  const TempDir dir;
  const std::string flat = dir.write("flat.json", e.out);
  const CliResult again = run_cli({"validate", flat});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, r.out);  // same layers, parameters and shapes
  EXPECT_EQ(run_cli({"validate", "--expanded", flat}).out, e.out);
}

TEST(ValidateCli, AVariantWithAnUnknownSchemeFailsUnderItsLabel) {
  const TempDir dir;
  const std::string config = dir.write(
      "e.json", experiment(R"([{"name": "fine"}, {"name": "typo", "init_rules":
          [{"pattern": "Linear.weight", "scheme": "kaiming_normall"}]}])"));
  const CliResult r = run_cli({"validate", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(
      error_line(r),
      StartsWith(
          "error: " + config +
          " (variant typo): /init_rules/0/scheme: unknown scheme "
          "\"kaiming_normall\"; did you mean"));
  // The base alone is fine: `run` uses it.
  EXPECT_EQ(run_cli({"run", config}).exit_code, 0);
}

TEST(ValidateCli, AVariantWhoseShapesDoNotFitFailsUnderItsLabel) {
  const TempDir dir;
  const std::string config = dir.write(
      "e.json", experiment(R"([{"name": "image", "input": [1, 2, 2]}])"));
  const CliResult r = run_cli({"validate", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(
      error_line(r),
      StartsWith(
          "error: " + config +
          " (variant image): /layers/0: Linear: expected a flat input"));
}

TEST(ValidateCli, AConfigWithoutVariantsPrintsOneLine) {
  const TempDir dir;
  const std::string config = dir.write(
      "m.json",
      R"({"name": "m", "input": [4],
          "layers": [{"name": "fc", "type": "Linear", "out_features": 3}]})");
  const CliResult r = run_cli({"validate", config, "--batch", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out, "ok: m: 1 layers, 2 parameters (15 elements), output shape [3]\n");
}

}  // namespace
}  // namespace initforge
