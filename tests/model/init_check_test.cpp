// SPDX-License-Identifier: Apache-2.0
#include "framework/model/init_check.h"

#include <filesystem>
#include <memory>
#include <type_traits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/model/config_loader.h"

#include "tests/testing/builtin_registry.h"

namespace initforge {
namespace {

using ::testing::HasSubstr;

ModelConfig config_with_init(const std::string& init) {
  return parse_config(
      R"({"name": "t", "input": [4], "layers": [
          {"name": "fc1", "type": "Linear", "out_features": 3, "init": )" +
          init + "}]}",
      "configs/mlp.json",
      ".");
}

std::string check_error(const ModelConfig& config, const Registry& registry) {
  try {
    check_init_specs(config, registry);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(CheckInitSpecs, ExampleConfigsPass) {
  for (const char* name :
       {"mlp.json",
        "mlp_custom_init.json",
        "cnn.json",
        "resnet_block.json",
        "deep_relu_30.json",
        "selu_mlp.json"}) {
    const ModelConfig c =
        load_config(std::filesystem::path(INITFORGE_CONFIGS_DIR) / name);
    EXPECT_NO_THROW(check_init_specs(c, testing::builtin_registry())) << name;
  }
}

TEST(CheckInitSpecs, WrongChoiceReadsLikeTheIssueExample) {
  const ModelConfig c = config_with_init(
      R"({"weight": {"scheme": "kaiming_normal", "mode": "fan_avg"}})");
  EXPECT_EQ(
      check_error(c, testing::builtin_registry()),
      "configs/mlp.json: /layers/0/init/weight/mode: expected one of fan_in, "
      "fan_out; got \"fan_avg\"");
}

TEST(CheckInitSpecs, IntegerLiteralForANumberArgumentIsAccepted) {
  const ModelConfig c = config_with_init(
      R"({"weight": {"scheme": "normal", "std": 1}, "bias": {"scheme": "constant", "val": 0}})");
  EXPECT_NO_THROW(check_init_specs(c, testing::builtin_registry()));
}

TEST(CheckInitSpecs, CrossArgumentConstraintIsReportedAtTheArgument) {
  const ModelConfig c = config_with_init(
      R"({"weight": {"scheme": "uniform", "a": 1.0, "b": -1.0}})");
  EXPECT_THAT(
      check_error(c, testing::builtin_registry()),
      HasSubstr("configs/mlp.json: /layers/0/init/weight/"));
}

TEST(CheckInitSpecs, RulesAreCheckedToo) {
  const ModelConfig c = parse_config(
      R"({"name": "t", "input": [4], "layers": [
          {"name": "fc1", "type": "Linear", "out_features": 3}],
          "init_rules": [{"pattern": "fc1.*", "scheme": "trunc_normal", "std": 0}]})",
      "r.json",
      ".");
  EXPECT_THAT(
      check_error(c, testing::builtin_registry()),
      HasSubstr("r.json: /init_rules/0/std: expected a number > 0; got 0"));
}

TEST(CheckInitSpecs, WithoutPluginsTheSchemeIsUnknown) {
  const Registry empty;
  const ModelConfig c = config_with_init(R"({"bias": {"scheme": "zeros"}})");
  EXPECT_THAT(
      check_error(c, empty),
      HasSubstr("/layers/0/init/bias/scheme: unknown scheme \"zeros\"; no "
                "schemes are loaded"));
}

// An in-process scheme whose factory refuses its arguments with `error`.
template <typename E>
void add_refusing_scheme(Registry& registry, const std::string& name) {
  SchemeInfo info;
  info.name = name;
  info.doc = "refuses";
  info.args = {ArgSpec::number("x", 0.0, "anything")};
  info.create = [](const Args&) -> std::unique_ptr<Initializer> {
    if constexpr (std::is_same_v<E, ArgumentError>) {
      throw ArgumentError("x", "x: expected something else; got 0");
    } else {
      throw InvalidArgument("refuses every configuration");
    }
  };
  registry.add(std::move(info));
}

TEST(CheckInitSpecs, FactoryErrorsAreConfigErrorsAtTheSpec) {
  Registry registry;
  add_refusing_scheme<ArgumentError>(registry, "keyed");
  add_refusing_scheme<InvalidArgument>(registry, "plain");
  EXPECT_EQ(
      check_error(
          config_with_init(R"({"weight": {"scheme": "keyed"}})"), registry),
      "configs/mlp.json: /layers/0/init/weight/x: x: expected something "
      "else; got 0");
  EXPECT_EQ(
      check_error(
          config_with_init(R"({"weight": {"scheme": "plain"}})"), registry),
      "configs/mlp.json: /layers/0/init/weight: refuses every configuration");
}

}  // namespace
}  // namespace initforge
