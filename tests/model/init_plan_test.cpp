// SPDX-License-Identifier: Apache-2.0
#include "framework/model/init_plan.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/model/graph.h"

#include "tests/model/model_test_util.h"
#include "tests/testing/builtin_registry.h"

namespace initforge {
namespace {

using testing::builtin_registry;
using testing::config_error;
using testing::config_of;
using ::testing::HasSubstr;
using testing::layer;
using ::testing::StartsWith;
using testing::with_layers;

InitPlan plan_of(const ModelConfig& c, const Registry& r = builtin_registry()) {
  return plan_init(c, Graph(c), r);
}

const PlannedParam& find(const InitPlan& plan, const std::string& path) {
  for (const PlannedParam& p : plan.params) {
    if (p.info.path == path) return p;
  }
  throw std::runtime_error("no parameter " + path);
}

// Two Linear layers and a conv branch, with a layer init, two rules and
// defaults for the rest.
const ModelConfig& mixed() {
  static const ModelConfig c = with_layers(
      "[2, 6, 6]",
      R"({"name": "conv", "type": "Conv2d", "out_channels": 3, "kernel_size": 3},
         {"name": "flat", "type": "Flatten"},
         {"name": "fc1", "type": "Linear", "out_features": 8,
          "init": {"weight": {"scheme": "xavier_normal", "gain": 2.0}}},
         {"name": "fc2", "type": "Linear", "out_features": 4})",
      R"(, "init_rules": [
           {"pattern": "fc*.bias", "scheme": "zeros"},
           {"pattern": "*.bias", "scheme": "ones"},
           {"pattern": "*.weight", "scheme": "normal", "std": 0.5},
           {"pattern": "Conv2d.weight", "scheme": "orthogonal"}])");
  return c;
}

TEST(InitPlan, LayerInitBeatsRulesWhichBeatDefaults) {
  const InitPlan plan = plan_of(mixed());
  const PlannedParam& w1 = find(plan, "fc1.weight");
  EXPECT_EQ(w1.scheme, "xavier_normal");
  EXPECT_EQ(w1.source, InitSource::LayerInit);
  EXPECT_EQ(w1.source_text, "layer init");
  EXPECT_EQ(w1.pointer, "/layers/2/init/weight");
  EXPECT_EQ(w1.args.number("gain"), 2.0);
  const PlannedParam& w2 = find(plan, "fc2.weight");
  EXPECT_EQ(w2.scheme, "normal");
  EXPECT_EQ(w2.source_text, "rule 2 (*.weight)");
  EXPECT_EQ(w2.pointer, "/init_rules/2");
  EXPECT_EQ(w2.args.number("std"), 0.5);
  EXPECT_EQ(w2.args.number("mean"), 0.0);  // default applied
  EXPECT_FALSE(w2.library_path.empty());
}

TEST(InitPlan, TheFirstMatchingRuleWinsOnPathOrTypePattern) {
  const InitPlan plan = plan_of(mixed());
  EXPECT_EQ(find(plan, "fc1.bias").source_text, "rule 0 (fc*.bias)");
  EXPECT_EQ(find(plan, "fc2.bias").scheme, "zeros");
  EXPECT_EQ(find(plan, "conv.bias").source_text, "rule 1 (*.bias)");
  EXPECT_EQ(find(plan, "conv.bias").scheme, "ones");
  // "*.weight" (rule 2) comes before "Conv2d.weight" (rule 3).
  EXPECT_EQ(find(plan, "conv.weight").source_text, "rule 2 (*.weight)");

  const ModelConfig typed = with_layers(
      "[2, 6, 6]",
      R"({"name": "c", "type": "Conv2d", "out_channels": 3, "kernel_size": 3},
         {"name": "f", "type": "Flatten"},
         {"name": "l", "type": "Linear", "out_features": 4})",
      R"(, "init_rules": [{"pattern": "Conv2d.weight", "scheme": "orthogonal"},
                          {"pattern": "Linear.*", "scheme": "zeros"}])");
  const InitPlan by_type = plan_of(typed);
  EXPECT_EQ(find(by_type, "c.weight").scheme, "orthogonal");
  EXPECT_EQ(find(by_type, "c.bias").source_text, "default for Conv2d");
  EXPECT_EQ(find(by_type, "l.weight").source_text, "rule 1 (Linear.*)");
  EXPECT_EQ(find(by_type, "l.bias").scheme, "zeros");
}

TEST(InitPlan, DefaultsArePyTorchsResetParameters) {
  const ModelConfig c = with_layers(
      "[3, 5, 5]",
      R"({"name": "conv", "type": "Conv2d", "out_channels": 4, "kernel_size": [3, 2]},
         {"name": "bn", "type": "BatchNorm2d"},
         {"name": "flat", "type": "Flatten"},
         {"name": "fc", "type": "Linear", "out_features": 7})");
  const InitPlan plan = plan_of(c);
  const PlannedParam& w = find(plan, "conv.weight");
  EXPECT_EQ(w.scheme, "kaiming_uniform");
  EXPECT_EQ(w.source, InitSource::Default);
  EXPECT_EQ(w.source_text, "default for Conv2d");
  EXPECT_EQ(w.pointer, "/layers/0");
  EXPECT_EQ(w.args.number("a"), std::sqrt(5.0));
  EXPECT_EQ(w.args.string("mode"), "fan_in");
  EXPECT_EQ(w.args.string("nonlinearity"), "leaky_relu");
  EXPECT_EQ(w.info.fans, (Fans{18, 24}));
  // PyTorch: bound = sqrt(3) * sqrt(2 / (1 + 5)) / sqrt(fan_in) =
  // 1/sqrt(fan_in).
  EXPECT_EQ(w.target.kind, Target::Kind::Uniform);
  EXPECT_NEAR(w.target.high, 1 / std::sqrt(18.0), 1e-12);
  const PlannedParam& b = find(plan, "conv.bias");
  EXPECT_EQ(b.scheme, "fan_in_uniform");
  EXPECT_EQ(b.info.fans, (Fans{18, 24}));  // the weight's
  EXPECT_NEAR(b.target.high, 1 / std::sqrt(18.0), 1e-12);
  EXPECT_EQ(find(plan, "bn.weight").scheme, "ones");
  EXPECT_EQ(find(plan, "bn.bias").scheme, "zeros");
  EXPECT_EQ(find(plan, "bn.bias").source_text, "default for BatchNorm2d");
  EXPECT_EQ(find(plan, "fc.bias").info.fans, (Fans{48, 7}));  // [4, 3, 4]
  ASSERT_EQ(plan.buffers.size(), 2u);
  EXPECT_EQ(plan.buffers[0].path, "bn.running_mean");
  EXPECT_EQ(plan.buffers[1].path, "bn.running_var");
  EXPECT_EQ(plan.buffers[1].decl.initial_value, 1.0f);
  EXPECT_EQ(plan.parameter_elements(), 4 * 3 * 3 * 2 + 4 + 4 + 4 + 7 * 48 + 7);
}

TEST(InitPlan, OrderIsConfigOrderWeightBeforeBias) {
  const InitPlan plan = plan_of(mixed());
  std::vector<std::string> paths;
  for (const PlannedParam& p : plan.params) paths.push_back(p.info.path);
  EXPECT_EQ(
      paths,
      (std::vector<std::string>{
          "conv.weight",
          "conv.bias",
          "fc1.weight",
          "fc1.bias",
          "fc2.weight",
          "fc2.bias"}));
  EXPECT_EQ(plan.params[2].node, 2u);
  EXPECT_EQ(plan.params[3].param, 1u);
}

TEST(InitPlan, SchemeThatCannotTakeTheShapeFailsAtItsSpec) {
  const ModelConfig c = with_layers(
      "[2, 6, 6]",
      R"({"name": "conv", "type": "Conv2d", "out_channels": 3, "kernel_size": 3,
          "init": {"weight": {"scheme": "eye"}}})");
  EXPECT_THAT(
      config_error([&] { plan_of(c); }),
      StartsWith(
          "/layers/0/init/weight|t.json: /layers/0/init/weight: eye "
          "cannot initialize conv.weight [3, 2, 3, 3]: eye: Only tensors "
          "with 2 dimensions are supported"));
  const ModelConfig rule = with_layers(
      "[4]",
      R"({"name": "fc", "type": "Linear", "out_features": 3})",
      R"(, "init_rules": [{"pattern": "*", "scheme": "dirac"}])");
  EXPECT_THAT(
      config_error([&] { plan_of(rule); }),
      StartsWith("/init_rules/0|t.json: /init_rules/0: dirac cannot initialize "
                 "fc.weight [3, 4]"));
}

TEST(InitPlan, InitOfAParameterTheLayerLacksIsRefused) {
  ModelConfig c = config_of({4}, {layer("fc", LinearOptions{3})});
  c.layers[0].init.push_back(
      {"bais", InitSpec{"zeros", {}, "/layers/0/init/bais", {}}});
  EXPECT_EQ(
      config_error([&] { plan_of(c); }),
      "/layers/0/init/bais|code.json: /layers/0/init/bais: Linear layer \"fc\" "
      "has no parameter \"bais\"; expected one of weight, bias (did you mean "
      "\"bias\"?)");
  ModelConfig relu = config_of({4}, {layer("r", ReLUOptions{})});
  relu.layers[0].init.push_back(
      {"weight", InitSpec{"zeros", {}, "/layers/0/init/weight", {}}});
  EXPECT_THAT(
      config_error([&] { plan_of(relu); }),
      HasSubstr("ReLU layer \"r\" has no parameter \"weight\"; it has no "
                "parameters"));
}

TEST(InitPlan, UnknownSchemesAndBadArgumentsFailAtTheirPointers) {
  ModelConfig c = config_of({4}, {layer("fc", LinearOptions{3})});
  c.layers[0].init.push_back(
      {"weight", InitSpec{"kaiming_unifrom", {}, "/layers/0/init/weight", {}}});
  EXPECT_THAT(
      config_error([&] { plan_of(c); }),
      StartsWith("/layers/0/init/weight/scheme|"));
  c.layers[0].init[0].second =
      InitSpec{"kaiming_uniform", {{"mode", std::string("fan_avg")}}, "/p", {}};
  EXPECT_THAT(
      config_error([&] { plan_of(c); }),
      StartsWith("/p/mode|code.json: /p/mode: "));
  // Without the built-in plugins a default has no scheme: the layer is named.
  const Registry empty;
  EXPECT_THAT(
      config_error([&] {
        plan_of(config_of({4}, {layer("fc", LinearOptions{3})}), empty);
      }),
      StartsWith("/layers/0|code.json: /layers/0: default for Linear "
                 "(kaiming_uniform for fc.weight): "));
}

TEST(InitPlan, EveryLayerDefaultIsABuiltinSchemeWithValidArguments) {
  int params = 0;
  for (const LayerType* type : layer_types()) {
    for (const LayerParam& p : type->params) {
      SCOPED_TRACE(type->name + "." + p.name);
      const RegisteredScheme& scheme =
          builtin_registry().find(p.default_scheme);
      EXPECT_NO_THROW(bind_args(scheme.info.args, p.default_args));
      ++params;
    }
  }
  EXPECT_GE(params, 6);  // Linear, Conv2d, BatchNorm2d: weight and bias
  const LayerType& linear = *find_layer_type("Linear");
  EXPECT_EQ(linear.params[0].default_scheme, "kaiming_uniform");
  EXPECT_EQ(
      std::get<double>(linear.params[0].default_args.at(0).second),
      std::sqrt(5.0));
  EXPECT_EQ(
      find_layer_type("Conv2d")->params[1].default_scheme, "fan_in_uniform");
  EXPECT_EQ(find_layer_type("BatchNorm2d")->params[0].default_scheme, "ones");
  EXPECT_TRUE(find_layer_type("ReLU")->params.empty());
}

}  // namespace
}  // namespace initforge
