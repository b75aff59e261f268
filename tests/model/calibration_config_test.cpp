// SPDX-License-Identifier: Apache-2.0
// The config side of data-dependent initialization: "post_init" and
// "calibration" parsed, defaulted and refused with their pointers; variants
// patching them; the memory check for the calibration batch.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/model/init_check.h"

#include "tests/model/calibration_test_util.h"
#include "tests/testing/temp_dir.h"

namespace initforge::testing {
namespace {

using ::testing::HasSubstr;

// fc1 (Linear 8), relu, fc2 (Linear 2) on [4] with top-level keys `rest`.
ModelConfig mlp(const std::string& rest) {
  return with_layers(
      "[4]",
      R"({"name": "fc1", "type": "Linear", "out_features": 8},
         {"name": "relu", "type": "ReLU"},
         {"name": "fc2", "type": "Linear", "out_features": 2})",
      ", " + rest);
}

const std::string kTrain =
    R"("train": {"dataset": {"train_subset": 100}, "epochs": 1,
                 "optimizer": {"type": "sgd", "lr": 0.1}})";

// "pointer|message" of the ConfigError that loading and building throw.
std::string build_error(const std::string& rest) {
  return config_error([&] {
    const ModelConfig config = mlp(rest);
    check_init_specs(config, builtin_registry());
    static_cast<void>(built(config));
  });
}

TEST(CalibrationConfig, DefaultsAreSeededInputOf256Samples) {
  const ModelConfig config = mlp(R"("rng": "philox")");
  EXPECT_EQ(config.calibration.source, CalibrationSource::Input);
  EXPECT_EQ(config.calibration.batch_size, 256);
  EXPECT_TRUE(config.post_init.empty());
}

TEST(CalibrationConfig, ParsesPostInitAndCalibration) {
  const ModelConfig config = mlp(
      R"("post_init": [{"pattern": "Linear.weight", "scheme": "lsuv", "tol": 0.05}],
         "calibration": {"source": "train", "batch_size": 64}, )" +
      kTrain);
  ASSERT_EQ(config.post_init.size(), 1u);
  EXPECT_EQ(config.post_init[0].pattern, "Linear.weight");
  EXPECT_EQ(config.post_init[0].init.scheme, "lsuv");
  EXPECT_EQ(config.post_init[0].init.pointer, "/post_init/0");
  EXPECT_EQ(config.calibration.source, CalibrationSource::Train);
  EXPECT_EQ(config.calibration.batch_size, 64);
  EXPECT_EQ(config.calibration.pointer, "/calibration");
  const auto model = built(config);
  EXPECT_TRUE(model->needs_training_batch());
  EXPECT_EQ(model->plan().params[0].calibration->args.number("tol"), 0.05);
}

TEST(CalibrationConfig, TrainSourceBatchDefaultsToAtMostTheSubset) {
  const ModelConfig config =
      mlp(R"("calibration": {"source": "train"}, )" + kTrain);
  EXPECT_EQ(config.calibration.batch_size, 100);
}

TEST(CalibrationConfig, EachMistakeIsAConfigErrorAtItsPointer) {
  struct Case {
    std::string rest, pointer, message;
  };
  const std::vector<Case> cases = {
      {R"("post_init": [{"pattern": "Linear.weight", "scheme": "kaiming_normal"}])",
       "/post_init/0/scheme",
       "\"kaiming_normal\" is not data-dependent; post_init takes only "
       "schemes that calibrate on data (loaded: lsuv)"},
      {R"("post_init": [{"pattern": "fc3.weight", "scheme": "lsuv"}])",
       "/post_init/0/pattern",
       "pattern \"fc3.weight\" matches no parameter of this model;"},
      {R"("post_init": [{"pattern": "*.weight", "scheme": "lsuv", "tol": -1}])",
       "/post_init/0/tol",
       "expected a number > 0; got -1"},
      {R"("post_init": [{"pattern": "*.weight", "scheme": "lsuv", "tolerance": 1}])",
       "/post_init/0/tolerance",
       "unknown argument \"tolerance\"; known: max_iters, target_var, tol"},
      {R"("post_init": [{"pattern": "*.weight", "scheme": "lsvu"}])",
       "/post_init/0/scheme",
       "did you mean \"lsuv\"?"},
      {R"("post_init": [{"pattern": "fc*", "scheme": "lsuv"}])",
       "/post_init/0",
       "lsuv cannot calibrate fc1.bias [8]: lsuv: rescales the weight of a "
       "layer with an output"},
      {R"("post_init": {"pattern": "*", "scheme": "lsuv"})",
       "/post_init",
       "expected an array of {\"pattern\": GLOB, \"scheme\": NAME, ...}"},
      {R"("post_init": [{"scheme": "lsuv"}])",
       "/post_init/0/pattern",
       "missing"},
      {R"("init_rules": [{"pattern": "fc2.bias", "scheme": "lsuv"}])",
       "/init_rules/0",
       "lsuv cannot initialize fc2.bias [2]: lsuv: rescales the weight"},
      {R"("calibration": 256)",
       "/calibration",
       "expected an object {\"source\": \"input\" or \"train\""},
      {R"("calibration": {"batch": 3})",
       "/calibration/batch",
       "unknown key \"batch\" in calibration; expected one of source, "
       "batch_size"},
      {R"("calibration": {"source": "test"})",
       "/calibration/source",
       "expected one of input, train; got \"test\""},
      {R"("calibration": {"batch_size": 0})",
       "/calibration/batch_size",
       "expected a positive integer; got 0"},
      {R"("calibration": {"source": "train"})",
       "/calibration/source",
       "\"train\" takes the calibration batch from the dataset of the "
       "\"train\" section, and this config has none"},
      {R"("calibration": {"source": "train", "batch_size": 101}, )" + kTrain,
       "/calibration/batch_size",
       "expected at most train.dataset.train_subset (100) samples; got 101"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rest);
    const std::string error = build_error(c.rest);
    EXPECT_THAT(error, ::testing::StartsWith(c.pointer + "|t.json: "));
    EXPECT_THAT(error, HasSubstr(c.message));
  }
}

TEST(CalibrationConfig, FirstMatchingPostInitWinsOverTheFillsOwnCalibration) {
  const auto model = built(mlp(
      R"("init_rules": [{"pattern": "Linear.weight", "scheme": "lsuv"}],
         "post_init": [{"pattern": "fc2.weight", "scheme": "lsuv", "tol": 0.5},
                       {"pattern": "*.weight", "scheme": "lsuv", "tol": 0.25}])"));
  const auto& planned = model->plan().params;
  ASSERT_EQ(planned.size(), 4u);
  EXPECT_EQ(planned[0].calibration->source_text, "post_init 1 (*.weight)");
  EXPECT_EQ(planned[0].calibration->args.number("tol"), 0.25);
  EXPECT_EQ(planned[2].calibration->source_text, "post_init 0 (fc2.weight)");
  EXPECT_EQ(planned[2].calibration->args.number("tol"), 0.5);
  EXPECT_FALSE(planned[1].calibration.has_value());
}

TEST(CalibrationConfig, FillsOwnDataDependentSchemeCalibrates) {
  const auto model = built(
      mlp(R"("init_rules": [{"pattern": "Linear.weight", "scheme": "lsuv"}])"));
  const PlannedParam& p = model->plan().params[0];
  ASSERT_TRUE(p.calibration.has_value());
  EXPECT_EQ(p.calibration->scheme, "lsuv");
  EXPECT_EQ(p.calibration->source_text, "rule 0 (Linear.weight)");
  EXPECT_EQ(p.calibration->pointer, "/init_rules/0");
  EXPECT_EQ(p.calibration->initializer, p.initializer);
  EXPECT_FALSE(model->needs_training_batch());  // "input" by default
}

TEST(CalibrationConfig, VariantsPatchPostInitAndCalibration) {
  const TempDir dir;
  auto file = dir.write(
      "exp.json",
      R"({"name": "exp", "input": [4],
          "layers": [{"name": "fc1", "type": "Linear", "out_features": 8}],
          "calibration": {"batch_size": 16},
          "variants": [
            {"name": "plain"},
            {"name": "lsuv", "calibration": {"batch_size": 32},
             "post_init": [{"pattern": "fc1.weight", "scheme": "lsuv"}]}]})");
  const std::vector<Variant> variants = load_experiment(file);
  ASSERT_EQ(variants.size(), 2u);
  EXPECT_TRUE(variants[0].config.post_init.empty());
  EXPECT_EQ(variants[0].config.calibration.batch_size, 16);
  ASSERT_EQ(variants[1].config.post_init.size(), 1u);
  EXPECT_EQ(variants[1].config.calibration.batch_size, 32);

  file = dir.write(
      "bad.json",
      R"({"name": "exp", "input": [4],
          "layers": [{"name": "fc1", "type": "Linear", "out_features": 8}],
          "variants": [{"name": "bad", "calibration": {"source": "train"}}]})");
  EXPECT_EQ(
      config_error([&] { load_experiment(file); }),
      "/calibration/source|" + file.string() +
          " (variant bad): /calibration/source: \"train\" takes the "
          "calibration batch from the dataset of the \"train\" section, and "
          "this config has none; add one or use \"input\" (seeded N(0, 1) "
          "samples)");
}

TEST(CalibrationConfig, CalibrationBatchMustFitInMemoryToo) {
  const ModelConfig config = deep_mlp(2, kLsuvRules);
  const auto probe = built(config);
  const std::int64_t for_batch_8 = probe->memory().total_bytes;
  const std::string error = config_error(
      [&] { Model::build(config, builtin_registry(), 8, for_batch_8 + 1024); });
  EXPECT_THAT(error, HasSubstr("for batch 256"));
  EXPECT_NO_THROW(
      Model::build(deep_mlp(2, ""), builtin_registry(), 8, for_batch_8 + 1024));
}

}  // namespace
}  // namespace initforge::testing
