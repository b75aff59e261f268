// SPDX-License-Identifier: Apache-2.0
#include "framework/io/report_json.h"

#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace initforge {
namespace {

using nlohmann::json;

PluginListing kaiming_listing() {
  PluginListing listing;
  listing.plugin_dirs = {"/p"};
  listing.load_seconds = 0.004;
  listing.libraries = {
      {"/p/libk.so", "initforge-kaiming", "0.1.0", {"kaiming_uniform"}}};
  listing.schemes = {
      {"kaiming_uniform",
       "U(-b, b), b = gain * sqrt(3 / fan)",
       true,
       {ArgSpec::number("a", 0.0, "negative slope").at_least(0.0),
        ArgSpec::choice("mode", "fan_in", {"fan_in", "fan_out"}, "which fan")
            .ignore_case(),
        ArgSpec::required_number("val", "required one")},
       "/p/libk.so",
       "initforge-kaiming"}};
  return listing;
}

TEST(PluginsJson, ListsLibrariesAndFullArgumentSchemas) {
  const json out = json::parse(plugins_json(kaiming_listing()));
  EXPECT_EQ(out["plugin_dirs"], json({"/p"}));
  EXPECT_EQ(out["load_seconds"], 0.004);
  ASSERT_EQ(out["libraries"].size(), 1u);
  EXPECT_EQ(out["libraries"][0]["name"], "initforge-kaiming");
  EXPECT_EQ(out["libraries"][0]["version"], "0.1.0");
  EXPECT_EQ(out["libraries"][0]["schemes"], json({"kaiming_uniform"}));

  const json& scheme = out["schemes"]["kaiming_uniform"];
  EXPECT_EQ(scheme["library_path"], "/p/libk.so");
  EXPECT_EQ(scheme["elementwise"], true);
  ASSERT_EQ(scheme["args"].size(), 3u);
  const json& a = scheme["args"][0];
  EXPECT_EQ(a["name"], "a");
  EXPECT_EQ(a["type"], "number");
  EXPECT_EQ(a["default"], 0.0);
  EXPECT_EQ(a["required"], false);
  EXPECT_EQ(a["min"], 0.0);
  EXPECT_EQ(a["min_exclusive"], false);
  EXPECT_FALSE(a.contains("max"));
  EXPECT_EQ(a["doc"], "negative slope");
  const json& mode = scheme["args"][1];
  EXPECT_EQ(mode["type"], "string");
  EXPECT_EQ(mode["default"], "fan_in");
  EXPECT_EQ(mode["choices"], json({"fan_in", "fan_out"}));
  EXPECT_EQ(mode["case_insensitive"], true);
  const json& val = scheme["args"][2];
  EXPECT_EQ(val["required"], true);
  EXPECT_FALSE(val.contains("default"));
}

TEST(SampleJson, HasStatisticsTargetAndFillSeconds) {
  SampleReport report;
  report.scheme = "uniform";
  report.args = {{"a", 0.0}, {"b", 1.0}};
  report.shape = {3, 4};
  report.rng = "philox";
  report.seed = 7;
  report.path = "weight";
  report.fans = Fans{4, 3};
  report.threads = 2;
  report.target = Target::uniform(0.0, 1.0);
  report.stats = {12, 0.5, 0.29, 0.01, 0.99};
  report.fill_seconds = 1.5e-6;
  report.gelements_per_second = 0.008;
  const json out = json::parse(sample_json(report));
  EXPECT_EQ(out["scheme"], "uniform");
  EXPECT_EQ(out["args"]["b"], 1.0);
  EXPECT_EQ(out["shape"], json({3, 4}));
  EXPECT_EQ(out["numel"], 12);
  EXPECT_EQ(out["seed"], 7);
  EXPECT_EQ(out["fan_in"], 4);
  EXPECT_EQ(out["fan_out"], 3);
  EXPECT_EQ(out["mean"], 0.5);
  EXPECT_EQ(out["max"], 0.99);
  EXPECT_EQ(out["fill_seconds"], 1.5e-6);
  EXPECT_EQ(out["target"]["kind"], "uniform");
  EXPECT_EQ(out["target"]["low"], 0.0);
  EXPECT_EQ(out["target"]["high"], 1.0);
  EXPECT_NEAR(out["target"]["std"].get<double>(), 1 / std::sqrt(12.0), 1e-15);
  EXPECT_TRUE(out["out"].is_null());
}

TEST(SampleJson, UnknownTargetAndMissingFansAreNull) {
  SampleReport report;
  report.target = Target::unknown();
  const json out = json::parse(sample_json(report));
  EXPECT_EQ(out["target"]["kind"], "unknown");
  EXPECT_TRUE(out["target"]["mean"].is_null());
  EXPECT_TRUE(out["target"]["std"].is_null());
  EXPECT_TRUE(out["fan_in"].is_null());
}

}  // namespace
}  // namespace initforge
