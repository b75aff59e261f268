// SPDX-License-Identifier: Apache-2.0
// Model::initialize through fill_checked: a throwing or NaN-writing plugin
// is a PluginError naming the parameter, the scheme and the library.
#include <cmath>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/model/builder.h"
#include "framework/plugin/loader.h"

#include "tests/model/model_test_util.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::with_layers;

std::string fixture(const std::string& name) {
  return (fs::path(INITFORGE_FIXTURE_DIR) / name / ("lib" + name + ".so"))
      .string();
}

// The built-in schemes (for the defaults) plus one fixture library.
struct FixtureRegistry {
  explicit FixtureRegistry(const std::string& name) {
    load_plugin_dir(INITFORGE_TEST_PLUGIN_DIR, registry);
    load_plugin(fixture(name), registry);
  }
  Registry registry;
};

// fc1 (default init) then fc2 whose bias uses `scheme`.
ModelConfig two_layers(const std::string& scheme) {
  return with_layers(
      "[4]",
      R"({"name": "fc1", "type": "Linear", "out_features": 5},
         {"name": "fc2", "type": "Linear", "out_features": 3,
          "init": {"bias": {"scheme": ")" +
          scheme + R"("}}})");
}

std::string initialize_error(Model& model, bool check_finite) {
  try {
    model.initialize(RandomSource::create(RngKind::Philox, 1), check_finite);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ModelFillIsolation, ThrowingSchemeNamesParameterSchemeAndLibrary) {
  const FixtureRegistry f("fixture_fill_throws");
  const auto model = Model::build(two_layers("fixture_boom"), f.registry, 2);
  EXPECT_EQ(
      initialize_error(*model, false),
      "plugin " + fixture("fixture_fill_throws") +
          ": fc2.bias: scheme \"fixture_boom\" failed while filling: boom");
}

TEST(ModelFillIsolation, NanIsAnErrorOnlyWhenCheckingFiniteness) {
  const FixtureRegistry f("fixture_nan");
  const auto model = Model::build(two_layers("fixture_nan"), f.registry, 2);
  EXPECT_EQ(
      initialize_error(*model, true),
      "plugin " + fixture("fixture_nan") +
          ": fc2.bias: scheme \"fixture_nan\" wrote 1 non-finite value(s) (NaN "
          "or Inf) of 3; the first at "
          "index 2: nan");
  // Unchecked, the NaN goes through (the fixture clamps `at` to index 2).
  EXPECT_EQ(initialize_error(*model, false), "no error");
  ASSERT_EQ(model->params().size(), 4u);
  EXPECT_TRUE(std::isnan(model->params()[3].data()[2]));
  EXPECT_EQ(model->params()[3].data()[0], 0.5f);
}

TEST(ModelFillIsolation, FiniteValuesPassTheCheck) {
  const FixtureRegistry f("fixture_good");
  const auto model = Model::build(two_layers("fixture_const"), f.registry, 2);
  EXPECT_EQ(initialize_error(*model, true), "no error");
}

}  // namespace
}  // namespace initforge
