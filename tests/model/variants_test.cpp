// SPDX-License-Identifier: Apache-2.0
// load_experiment: "variants" as JSON Merge Patches (RFC 7386) of the config,
// their validation and labels, and load_config on an experiment file.
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/model/config_loader.h"
#include "framework/model/init_check.h"

#include "tests/testing/builtin_registry.h"
#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;

const fs::path kConfigs = INITFORGE_CONFIGS_DIR;

// A valid two-layer base (with rules and a train section) plus `variants`.
std::string experiment(const std::string& variants) {
  return R"({"name": "exp", "seed": 3, "input": [4],
    "layers": [{"name": "fc1", "type": "Linear", "out_features": 3},
               {"name": "fc2", "type": "Linear", "out_features": 2}],
    "init_rules": [{"pattern": "*.bias", "scheme": "zeros"}],
    "train": {"epochs": 2, "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}},
    "variants": )" +
         variants + "}";
}

// The error load_experiment raises, as "file|pointer|message".
std::string error_of(const TempDir& dir, const std::string& text) {
  const fs::path file = dir.write("e.json", text);
  try {
    load_experiment(file);
  } catch (const ConfigError& e) {
    return e.file() + "|" + e.pointer() + "|" + e.what();
  }
  return "no error";
}

TEST(LoadExperiment, WithoutVariantsYieldsTheConfigNamedAfterItself) {
  const std::vector<Variant> v =
      load_experiment(kConfigs / "mlp_custom_init.json");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].name, "fashion_mnist_mlp_custom_init");
  EXPECT_EQ(v[0].config.file, (kConfigs / "mlp_custom_init.json").string());
  EXPECT_EQ(v[0].config.init_rules.size(), 1U);
}

TEST(LoadExperiment, VariantsArePatchesOfTheBaseInOrder) {
  const TempDir dir;
  const fs::path file = dir.write("e.json", experiment(R"([
      {"name": "base"},
      {"name": "he", "init_rules": [
          {"pattern": "Linear.weight", "scheme": "kaiming_normal"}]},
      {"name": "no-rules.v2", "init_rules": null, "seed": 9,
       "train": {"optimizer": {"lr": 0.5}, "epochs": 4}}])"));
  const std::vector<Variant> v = load_experiment(file);
  ASSERT_EQ(v.size(), 3U);
  EXPECT_EQ(v[0].name, "base");
  EXPECT_EQ(v[1].name, "he");
  EXPECT_EQ(v[2].name, "no-rules.v2");
  for (const Variant& x : v) {
    EXPECT_EQ(x.config.name, "exp");  // "name" names the variant only
    EXPECT_EQ(x.config.file, file.string() + " (variant " + x.name + ")");
  }
  // An empty patch is the base.
  EXPECT_EQ(v[0].config.seed, 3U);
  EXPECT_EQ(v[0].config.init_rules[0].pattern, "*.bias");
  // Arrays are replaced, not merged.
  ASSERT_EQ(v[1].config.init_rules.size(), 1U);
  EXPECT_EQ(v[1].config.init_rules[0].pattern, "Linear.weight");
  // null deletes; objects merge member by member.
  EXPECT_TRUE(v[2].config.init_rules.empty());
  EXPECT_EQ(v[2].config.seed, 9U);
  EXPECT_EQ(v[2].config.train->epochs, 4);
  EXPECT_EQ(v[2].config.train->optimizer.lr, 0.5);
  EXPECT_EQ(v[2].config.train->optimizer.momentum, 0.9);  // kept
  EXPECT_EQ(v[2].config.train->schedule.t_max, 4);  // follows merged epochs
  // json is the merged config, without "variants".
  const nlohmann::json merged = nlohmann::json::parse(v[2].config.json);
  EXPECT_FALSE(merged.contains("variants"));
  EXPECT_FALSE(merged.contains("init_rules"));
  EXPECT_EQ(merged["train"]["optimizer"]["lr"], 0.5);
  EXPECT_EQ(merged["train"]["optimizer"]["type"], "sgd");
}

TEST(LoadExperiment, LoadConfigReturnsTheBaseOfAnExperiment) {
  const TempDir dir;
  const fs::path file = dir.write(
      "e.json", experiment(R"([{"name": "a", "seed": 1}, {"name": "b"}])"));
  const ModelConfig base = load_config(file);
  EXPECT_EQ(base.file, file.string());
  EXPECT_EQ(base.seed, 3U);
  EXPECT_FALSE(nlohmann::json::parse(base.json).contains("variants"));
  // ... but only while every variant is valid.
  dir.write("bad.json", experiment(R"([{"name": "a", "seed": -1}])"));
  try {
    load_config(dir / "bad.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), (dir / "bad.json").string() + " (variant a)");
    EXPECT_EQ(e.pointer(), "/seed");
  }
}

TEST(LoadExperiment, AMergedVariantIsValidatedUnderItsOwnLabel) {
  const TempDir dir;
  const std::string f = (dir / "e.json").string();
  EXPECT_EQ(
      error_of(dir, experiment(R"([{"name": "ok"}, {"name": "slow",
              "train": {"optimizer": {"lr": -1}}}])")),
      f + " (variant slow)|/train/optimizer/lr|" + f +
          " (variant slow): /train/optimizer/lr: expected a number >= 0; "
          "got -1");
  // A patch may not bring keys the schema does not know.
  EXPECT_THAT(
      error_of(dir, experiment(R"([{"name": "x", "init_rule": []}])")),
      HasSubstr(" (variant x)|/init_rule|"));
  // Removing a required key is caught too.
  EXPECT_THAT(
      error_of(dir, experiment(R"([{"name": "x", "layers": null}])")),
      HasSubstr("missing required key \"layers\""));
}

TEST(LoadExperiment, SchemeChecksOfAVariantCarryItsLabel) {
  const TempDir dir;
  const fs::path file = dir.write("e.json", experiment(R"([{"name": "typo",
      "init_rules": [{"pattern": "Linear.weight", "scheme": "kaiming_normall"}]}])"));
  const std::vector<Variant> v = load_experiment(file);
  try {
    check_init_specs(v[0].config, testing::builtin_registry());
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr(
            file.string() +
            " (variant typo): /init_rules/0/scheme: "
            "unknown scheme \"kaiming_normall\"; did you mean"));
  }
}

TEST(LoadExperiment, TheBaseMustBeValidByItself) {
  const TempDir dir;
  const std::string f = (dir / "e.json").string();
  const std::string text = R"({"name": "e", "input": [4], "layers": [],
      "variants": [{"name": "a", "layers": [{"name": "f", "type": "Flatten"}]}]})";
  EXPECT_THAT(error_of(dir, text), HasSubstr(f + "|/layers|"));
}

TEST(LoadExperiment, VariantsArrayErrorsAreAtTheirPointers) {
  const TempDir dir;
  const std::string f = (dir / "e.json").string();
  const auto at = [&](const std::string& variants) {
    return error_of(dir, experiment(variants));
  };
  EXPECT_THAT(
      at(R"({"name": "a"})"),
      HasSubstr(
          f + "|/variants|" + f +
          ": /variants: expected a non-empty array of {\"name\": NAME"));
  EXPECT_THAT(at("[]"), HasSubstr("|/variants|"));
  EXPECT_THAT(
      at(R"([{"name": "a"}, 3])"),
      HasSubstr(
          "|/variants/1|" + f +
          ": /variants/1: expected an object {\"name\": NAME, KEY: VALUE"));
  EXPECT_THAT(
      at(R"([{"seed": 1}])"),
      HasSubstr(
          "|/variants/0/name|" + f +
          ": /variants/0/name: missing required key \"name\""));
  EXPECT_THAT(
      at(R"([{"name": 7}])"),
      HasSubstr(
          "|/variants/0/name|" + f +
          ": /variants/0/name: expected a string; got 7"));
  for (const char* bad : {"kaiming normal", "a/b", "", "..", ".", "é"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(
        at(R"([{"name": ")" + std::string(bad) + R"("}])"),
        HasSubstr(
            "|/variants/0/name|" + f +
            ": /variants/0/name: expected a name of letters, digits, "
            "'.', '_' and '-', not \".\" or \"..\" (it names the "
            "variant's run directory)"));
  }
  EXPECT_THAT(
      at(R"([{"name": "a"}, {"name": "b"}, {"name": "a"}])"),
      HasSubstr(
          "|/variants/2/name|" + f +
          ": /variants/2/name: duplicate variant name \"a\" (first used "
          "at /variants/0/name)"));
  EXPECT_THAT(
      at(R"([{"name": "a", "variants": []}])"),
      HasSubstr(
          "|/variants/0/variants|" + f +
          ": /variants/0/variants: a variant cannot list variants"));
}

TEST(LoadExperiment, MalformedJsonAndMissingFilesAreReportedPlainly) {
  const TempDir dir;
  const std::string f = (dir / "e.json").string();
  EXPECT_THAT(
      error_of(dir, "{\"variants\": [}"),
      HasSubstr(f + "||" + f + ": line 1, column 15: malformed JSON"));
  EXPECT_THAT(
      error_of(dir, "[1]"),
      HasSubstr("||" + f + ": expected a JSON object with name"));
  EXPECT_THROW(load_experiment(dir / "missing.json"), IoError);
}

TEST(LoadExperiment, DeepReluExperimentComparesFourInits) {
  const std::vector<Variant> v =
      load_experiment(kConfigs / "experiments" / "deep_relu_init.json");
  ASSERT_EQ(v.size(), 4U);
  EXPECT_EQ(v[0].name, "kaiming_normal");
  EXPECT_EQ(v[1].name, "xavier_normal");
  EXPECT_EQ(v[2].name, "normal_0.01");
  EXPECT_EQ(v[3].name, "lsuv");
  EXPECT_EQ(v[3].config.calibration.source, CalibrationSource::Train);
  EXPECT_EQ(v[2].config.calibration.source, CalibrationSource::Input);
  const std::vector<std::string> schemes = {
      "kaiming_normal", "xavier_normal", "normal", "lsuv"};
  for (std::size_t i = 0; i < v.size(); ++i) {
    SCOPED_TRACE(v[i].name);
    const ModelConfig& c = v[i].config;
    EXPECT_NO_THROW(check_init_specs(c, testing::builtin_registry()));
    ASSERT_TRUE(c.train.has_value());
    EXPECT_EQ(c.train->optimizer.kind, OptimizerKind::Sgd);
    ASSERT_EQ(c.layers.size(), 62U);  // flatten + 30 x (Linear, ReLU) + out
    ASSERT_EQ(c.init_rules.size(), 2U);
    EXPECT_EQ(c.init_rules[0].pattern, "Linear.weight");
    EXPECT_EQ(c.init_rules[0].init.scheme, schemes[i]);
    EXPECT_EQ(c.init_rules[1].pattern, "Linear.bias");
    EXPECT_EQ(c.init_rules[1].init.scheme, "zeros");
    for (const LayerConfig& layer : c.layers) EXPECT_TRUE(layer.init.empty());
  }
}

}  // namespace
}  // namespace initforge
