// SPDX-License-Identifier: Apache-2.0
// Runs the real `initforge` binary against the built-in plugins.
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/temp_dir.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json run_json(const std::vector<std::string>& args) {
  const CliResult r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return r.exit_code == 0 ? json::parse(r.out) : json::object();
}

TEST(CliBuiltin, PluginsJsonListsTheWholeCatalogue) {
  const json out = run_json({"plugins", "--json"});
  for (const char* name :
       {"uniform",
        "normal",
        "trunc_normal",
        "constant",
        "ones",
        "zeros",
        "eye",
        "dirac",
        "xavier_uniform",
        "xavier_normal",
        "kaiming_uniform",
        "kaiming_normal",
        "orthogonal",
        "sparse",
        "lecun_uniform",
        "lecun_normal",
        "variance_scaling"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(out["schemes"].contains(name));
    EXPECT_FALSE(out["schemes"][name]["doc"].get<std::string>().empty());
    EXPECT_FALSE(
        out["schemes"][name]["library_path"].get<std::string>().empty());
  }
  EXPECT_GE(out["libraries"].size(), 2u);
  const json& args = out["schemes"]["kaiming_uniform"]["args"];
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[0]["name"], "a");
  EXPECT_EQ(args[1]["name"], "mode");
  EXPECT_EQ(args[1]["choices"], json({"fan_in", "fan_out"}));
  EXPECT_EQ(args[2]["name"], "nonlinearity");
  // Only lsuv needs a model; the listing says so.
  for (const auto& [name, scheme] : out["schemes"].items()) {
    EXPECT_EQ(scheme["data_dependent"], name == "lsuv") << name;
  }
}

TEST(CliBuiltin, PluginsTextMarksDataDependentSchemes) {
  const CliResult r = run_cli({"plugins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.out,
      ::testing::ContainsRegex(
          "\n  lsuv +[^\n]*\\[data-dependent: use it in a config\\]"));
  EXPECT_THAT(
      r.out,
      ::testing::Not(::testing::ContainsRegex(
          "\n  kaiming_uniform +[^\n]*data-dependent")));
}

TEST(CliBuiltin, KaimingUniformSampleMatchesItsTarget) {
  const json out = run_json(
      {"sample",
       "kaiming_uniform",
       "--shape",
       "256,128",
       "--seed",
       "3",
       "--json"});
  ASSERT_FALSE(out.empty());
  const double n = 256.0 * 128.0;
  const double bound = std::sqrt(2.0) * std::sqrt(3.0 / 128.0);  // a = 0
  EXPECT_EQ(out["fan_in"], 128);
  EXPECT_EQ(out["target"]["kind"], "uniform");
  EXPECT_NEAR(out["target"]["high"].get<double>(), bound, 1e-12);
  EXPECT_GE(out["min"].get<double>(), -bound);
  EXPECT_LE(out["max"].get<double>(), bound);
  const double sd = bound / std::sqrt(3.0);
  // 5 sigma of the sample mean and of the sample std (uniform: kurtosis 9/5).
  EXPECT_NEAR(out["mean"].get<double>(), 0.0, 5 * sd / std::sqrt(n));
  EXPECT_NEAR(out["std"].get<double>(), sd, 5 * sd * std::sqrt(0.8 / (4 * n)));
  EXPECT_GE(out["fill_seconds"].get<double>(), 0.0);
}

TEST(CliBuiltin, ChoiceArgumentsAreCaseInsensitiveAndValidated) {
  const json out = run_json(
      {"sample",
       "kaiming_normal",
       "--shape",
       "16,8",
       "--arg",
       "mode=FAN_OUT",
       "--json"});
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out["args"]["mode"], "fan_out");

  const CliResult bad = run_cli(
      {"sample", "kaiming_normal", "--shape", "16,8", "--arg", "mode=fan_avg"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(
      bad.err,
      "error: --arg mode: expected one of fan_in, fan_out; got \"fan_avg\"\n");
}

TEST(CliBuiltin, TorchRngIsSelectable) {
  const json out = run_json(
      {"sample", "normal", "--shape", "1000", "--rng", "torch", "--json"});
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out["rng"], "torch");
  EXPECT_EQ(out["target"]["kind"], "normal");
}

TEST(CliBuiltin, SchemeRefusingTheShapeIsBadInput) {
  const CliResult r = run_cli({"sample", "kaiming_uniform", "--shape", "5"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("fewer than 2 dimensions"));
  const CliResult eye = run_cli({"sample", "eye", "--shape", "2,3,4"});
  EXPECT_EQ(eye.exit_code, 2) << eye.err;
  EXPECT_EQ(
      eye.err,
      "error: eye: Only tensors with 2 dimensions are supported; got shape "
      "[2, 3, 4]\n");
}

TEST(CliBuiltin, UnknownSchemeSuggestsABuiltin) {
  const CliResult r = run_cli({"sample", "xavier_unifrom", "--shape", "3,4"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(
      r.err,
      HasSubstr("unknown scheme \"xavier_unifrom\"; did you mean "
                "\"xavier_uniform\"?"));
}

// Issue 10: philox values depend on (seed, path, index) only, so the QR of
// orthogonal must not follow --threads (nor the BLAS: ctest --preset
// ci-openblas runs this under OpenBLAS).
TEST(CliBuiltin, PhiloxOrthogonalFileIsTheSameWithOneAndTwoThreads) {
  const testing::TempDir dir;
  std::string bytes[2];
  for (int threads = 1; threads <= 2; ++threads) {
    const std::string out =
        (dir / ("q" + std::to_string(threads) + ".npy")).string();
    const CliResult r = run_cli(
        {"sample",
         "orthogonal",
         "--shape",
         "1024,1024",
         "--threads",
         std::to_string(threads),
         "--out",
         out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(out, std::ios::binary);
    bytes[threads - 1].assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_GT(bytes[0].size(), 1024U * 1024U * 4U);
  EXPECT_TRUE(bytes[0] == bytes[1])
      << "--threads 1 and 2 wrote different files";
}

}  // namespace
}  // namespace initforge
