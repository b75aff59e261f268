// SPDX-License-Identifier: Apache-2.0
// The He et al. 2015 picture of README "Training", through `initforge run
// --json` on configs/experiments/deep_relu_init.json (30 Linear+ReLU layers
// of width 256, no normalization): per layer the Linear output std is
// multiplied by g = sqrt(fan_in * Var(w) / 2) (ReLU keeps half the second
// moment), so kaiming_normal keeps the scale (g = 1), xavier_normal halves
// the variance (g = 1/sqrt 2) and normal(std=0.01) collapses it (g = 0.113).
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/tools/model_cli_util.h"

namespace initforge::testing {
namespace {

using nlohmann::json;

constexpr double kWidth = 256;  // every hidden Linear's out_features

// The experiment with one variant applied (a merge patch, as `train` does)
// and `train`/`variants` dropped: a plain model config for `run`.
fs::path variant_config(const TempDir& dir, const std::string& variant) {
  std::ifstream in(kConfigs / "experiments" / "deep_relu_init.json");
  json config = json::parse(in);
  json patch;
  for (const json& v : config.at("variants")) {
    if (v.at("name") == variant) patch = v;
  }
  EXPECT_FALSE(patch.is_null()) << variant;
  config.erase("variants");
  config.erase("train");
  patch.erase("name");
  config.merge_patch(patch);
  return dir.write(variant + ".json", config.dump());
}

// std of every hidden Linear's output (fc1..fc30), in depth order.
std::vector<double> hidden_linear_stds(const fs::path& config) {
  const CliResult r =
      run_cli({"run", config.string(), "--batch", "64", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<double> stds;
  if (r.exit_code != 0) return stds;
  const json report = json::parse(r.out);
  for (const json& layer : report.at("layers")) {
    if (layer.at("type") == "Linear" && layer.at("name") != "out") {
      stds.push_back(layer.at("stats").at("std").get<double>());
    }
  }
  return stds;
}

// The geometric mean of the per-layer std ratios fc(l+1)/fc(l).
double per_layer_gain(const std::vector<double>& stds) {
  return std::pow(
      stds.back() / stds.front(), 1.0 / static_cast<double>(stds.size() - 1));
}

// Bound on |log gain - log g|. Per layer, the sum of n squared ReLU outputs
// of independent Gaussians has relative variance 5/n (E relu^4 = 3/2 s^4,
// E relu^2 = s^2/2), the worst case being a batch of parallel inputs; the
// log std moves by half of that, independently per layer (fresh weights), so
// the mean of L-1 log ratios has sd sqrt(5/n)/2/sqrt(L-1). Four sds.
double log_gain_tolerance(std::size_t layers) {
  return 4.0 * 0.5 * std::sqrt(5.0 / kWidth) /
         std::sqrt(static_cast<double>(layers - 1));
}

void expect_gain(const std::string& variant, double weight_variance) {
  SCOPED_TRACE(variant);
  TempDir dir;
  const std::vector<double> stds =
      hidden_linear_stds(variant_config(dir, variant));
  ASSERT_EQ(stds.size(), 30u);
  const double want = std::sqrt(kWidth * weight_variance / 2.0);
  const double got = per_layer_gain(stds);
  EXPECT_LT(std::fabs(std::log(got / want)), log_gain_tolerance(stds.size()))
      << "per-layer std ratio " << got << ", expected " << want << "; fc1 std "
      << stds.front() << ", fc30 std " << stds.back();
}

TEST(HeInitPicture, KaimingNormalKeepsTheScaleThroughThirtyReluLayers) {
  expect_gain("kaiming_normal", 2.0 / kWidth);
}

TEST(HeInitPicture, XavierNormalHalvesTheVarianceAtEachLayer) {
  expect_gain("xavier_normal", 2.0 / (kWidth + kWidth));
}

TEST(HeInitPicture, SmallNormalCollapsesTheScale) {
  expect_gain("normal_0.01", 0.01 * 0.01);
}

}  // namespace
}  // namespace initforge::testing
