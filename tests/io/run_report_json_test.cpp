// SPDX-License-Identifier: Apache-2.0
#include "framework/io/run_report_json.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace initforge {
namespace {

using nlohmann::json;

ParamInitRecord weight_record() {
  return {
      .path = "fc1.weight",
      .shape = {256, 784},
      .scheme = "kaiming_uniform",
      .args = {{"a", 2.5}, {"mode", std::string("fan_in")}},
      .source = "default for Linear",
      .pointer = "",
      .library_path = "/p/libvs.so"};
}

TEST(RunJson, CarriesParamsLayersAndTimings) {
  RunReport r;
  r.config = "configs/mlp.json";
  r.model = "mlp";
  r.rng = "torch";
  r.seed = std::numeric_limits<std::uint64_t>::max();
  r.batch = 8;
  r.threads = 2;
  r.input = "random normal";
  r.input_shape = {8, 784};
  r.output_shape = {8, 10};
  r.parameter_elements = 200704;
  r.memory_bytes = 12345;
  r.params.push_back(
      {weight_record(),
       Fans{784, 256},
       Target::uniform(-0.1, 0.1),
       {.count = 200704, .mean = 0.001, .std = 0.05, .min = -0.1, .max = 0.1}});
  ParamInitRecord bias = weight_record();
  bias.path = "fc1.bias";
  bias.pointer = "/init_rules/0";
  bias.source = "rule 0 (*.bias)";
  r.params.push_back({bias, std::nullopt, Target::unknown(), {}});
  r.layers.push_back({"fc1", "Linear", {"input"}, {8, 256}, {.count = 2048}});
  r.init_ms = 1.5;
  r.first_forward_ms = 9.5;
  r.forward_ms = 2.5;
  r.weights_file = "w.safetensors";

  const json out = json::parse(run_json(r));
  EXPECT_EQ(out["seed"], std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(out["parameter_count"], 2);
  EXPECT_EQ(out["output_shape"], json({8, 10}));
  const json& w = out["params"][0];
  EXPECT_EQ(w["path"], "fc1.weight");
  EXPECT_EQ(w["args"]["a"], 2.5);
  EXPECT_EQ(w["args"]["mode"], "fan_in");
  EXPECT_EQ(w["source"], "default for Linear");
  EXPECT_TRUE(w["pointer"].is_null());
  EXPECT_EQ(w["fan_in"], 784);
  EXPECT_NEAR(w["target"]["std"].get<double>(), 0.1 / std::sqrt(3.0), 1e-12);
  EXPECT_EQ(w["stats"]["std"], 0.05);
  const json& b = out["params"][1];
  EXPECT_EQ(b["pointer"], "/init_rules/0");
  EXPECT_TRUE(b["fan_in"].is_null());
  EXPECT_TRUE(b["target"]["std"].is_null());  // unknown: NaN -> null
  EXPECT_EQ(out["layers"][0]["inputs"], json({"input"}));
  EXPECT_EQ(out["layers"][0]["output_shape"], json({8, 256}));
  EXPECT_EQ(out["forward_ms"], 2.5);
  EXPECT_EQ(out["first_forward_ms"], 9.5);
  EXPECT_TRUE(out["output_file"].is_null());
  EXPECT_EQ(out["weights_file"], "w.safetensors");
}

TEST(InitManifestJson, IsOneLineKeyedByPathInInitOrder) {
  InitManifest m{
      .model = "mlp",
      .config = "c.json",
      .rng = "philox",
      .seed = 3,
      .params = {weight_record()},
      .buffers = {"bn.running_mean"}};
  ParamInitRecord bias = weight_record();
  bias.path = "a.bias";  // sorts first, initialized second
  bias.scheme = "zeros";
  bias.args = {};
  m.params.push_back(bias);
  const std::string text = init_manifest_json(m);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  const json out = json::parse(text);
  EXPECT_EQ(out["rng"], "philox");
  EXPECT_EQ(out["seed"], 3);
  EXPECT_EQ(out["params"]["fc1.weight"]["order"], 0);
  EXPECT_EQ(out["params"]["a.bias"]["order"], 1);
  EXPECT_EQ(out["params"]["a.bias"]["scheme"], "zeros");
  EXPECT_EQ(out["params"]["fc1.weight"]["library_path"], "/p/libvs.so");
  EXPECT_FALSE(out["params"]["fc1.weight"].contains("path"));
  EXPECT_EQ(out["buffers"], json({"bn.running_mean"}));
}

}  // namespace
}  // namespace initforge
