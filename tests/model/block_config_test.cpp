// SPDX-License-Identifier: Apache-2.0
// Blocks, repeats and roles (configs/README.md, "Blocks"): the expanded
// layers' names follow PyTorch's container rules, arguments are substituted,
// shortcuts follow their condition, and errors inside a block definition
// name both the definition's pointer and the instance.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/model/config_loader.h"
#include "framework/model/init_rules.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fs::path kConfigs = INITFORGE_CONFIGS_DIR;

ModelConfig parse(const std::string& text) {
  return parse_config(text, "t.json", fs::current_path());
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.pointer() + "|" + e.what();
  }
  return "no error";
}

// A residual block with a conditional projection, as in ResNet.
constexpr const char* kBlock = R"("Res": {
  "args": {"in": null, "out": null, "stride": 1},
  "branch": [
    {"name": "conv1", "type": "Conv2d", "out_channels": "$out",
     "kernel_size": 3, "stride": "$stride", "padding": 1, "bias": false},
    {"name": "relu1", "type": "ReLU"},
    {"name": "conv2", "type": "Conv2d", "out_channels": "$out",
     "kernel_size": 3, "padding": 1, "roles": ["branch_last"]}
  ],
  "shortcut": {"when": "stride != 1 or in != out", "name": "downsample",
               "layers": [{"type": "Conv2d", "out_channels": "$out",
                           "kernel_size": 1, "stride": "$stride"}]},
  "after": [{"name": "relu", "type": "ReLU"}]
})";

// A config with the block above and `layers` (JSON text).
std::string with_block(
    const std::string& layers, const std::string& rest = "") {
  return std::string(R"({"name": "t", "input": [4, 8, 8], "blocks": {)") +
         kBlock + R"(}, "layers": [)" + layers + "]" + rest + "}";
}

std::vector<std::string> names_of(const ModelConfig& c) {
  std::vector<std::string> out;
  for (const LayerConfig& l : c.layers) out.push_back(l.name);
  return out;
}

const LayerConfig& layer_named(const ModelConfig& c, const std::string& name) {
  for (const LayerConfig& l : c.layers) {
    if (l.name == name) return l;
  }
  throw std::runtime_error("no layer " + name);
}

TEST(Blocks, InstancesAreNamedLikeTorchvisionsMakeLayer) {
  const ModelConfig c = parse(with_block(
      R"({"name": "stage", "block": "Res", "repeat": 2,
          "args": {"in": 6, "out": 6}, "first": {"in": 4, "stride": 2}})"));
  EXPECT_THAT(
      names_of(c),
      ElementsAre(
          "stage.0.conv1",
          "stage.0.relu1",
          "stage.0.conv2",
          "stage.0.downsample.0",
          "stage.0.add",
          "stage.0.relu",
          "stage.1.conv1",
          "stage.1.relu1",
          "stage.1.conv2",
          "stage.1.add",
          "stage.1.relu"));
  // The shortcut reads the block's input; the sum takes branch, shortcut.
  EXPECT_THAT(layer_named(c, "stage.0.conv1").inputs, ElementsAre("input"));
  EXPECT_THAT(
      layer_named(c, "stage.0.downsample.0").inputs, ElementsAre("input"));
  EXPECT_THAT(
      layer_named(c, "stage.0.add").inputs,
      ElementsAre("stage.0.conv2", "stage.0.downsample.0"));
  // Without a shortcut the sum adds the block's input itself.
  EXPECT_THAT(
      layer_named(c, "stage.1.add").inputs,
      ElementsAre("stage.1.conv2", "stage.0.relu"));
  EXPECT_THAT(
      layer_named(c, "stage.1.conv1").inputs, ElementsAre("stage.0.relu"));
}

TEST(Blocks, ArgumentsAreSubstitutedPerInstance) {
  const ModelConfig c = parse(with_block(
      R"({"name": "s", "block": "Res", "repeat": 2,
          "args": {"in": 6, "out": 6}, "first": {"in": 4, "stride": 2}})"));
  EXPECT_EQ(layer_named(c, "s.0.conv1").spec.args.integer("out_channels"), 6);
  EXPECT_EQ(
      layer_named(c, "s.0.conv1").spec.args.int_pair("stride"),
      (IntPair{2, 2}));
  EXPECT_EQ(
      layer_named(c, "s.1.conv1").spec.args.int_pair("stride"),
      (IntPair{1, 1}));
  EXPECT_EQ(
      layer_named(c, "s.0.downsample.0").spec.args.int_pair("kernel_size"),
      (IntPair{1, 1}));
}

TEST(Blocks, ShortcutConditionsAreEvaluatedPerInstance) {
  // in == out and stride 1: no projection in any instance.
  EXPECT_EQ(
      parse(with_block(R"({"name": "s", "block": "Res", "repeat": 3,
                           "args": {"in": 4, "out": 4}})"))
          .layers.size(),
      15U);
  auto shortcut_count = [](const std::string& when) {
    std::string config = with_block(
        R"({"name": "s", "block": "Res", "args": {"in": 4, "out": 4}})");
    config.replace(
        config.find("\"stride != 1 or in != out\""),
        std::string("\"stride != 1 or in != out\"").size(),
        when);
    const ModelConfig c = parse(config);
    return std::count_if(c.layers.begin(), c.layers.end(), [](const auto& l) {
      return l.name.find("downsample") != std::string::npos;
    });
  };
  EXPECT_EQ(shortcut_count("true"), 1);
  EXPECT_EQ(shortcut_count("false"), 0);
  EXPECT_EQ(shortcut_count("\"in == 4 and not (stride > 1)\""), 1);
  EXPECT_EQ(shortcut_count("\"out >= 8 or stride == 2\""), 0);
  EXPECT_EQ(shortcut_count("\"(in < 5) and out <= 4.5\""), 1);
  EXPECT_EQ(shortcut_count("\"in != out\""), 0);
}

TEST(Blocks, ConditionErrorsPointAtTheWhen) {
  auto error_with_when = [](const std::string& when) {
    std::string config = with_block(
        R"({"name": "s", "block": "Res", "args": {"in": 4, "out": 4}})");
    config.replace(
        config.find("\"stride != 1 or in != out\""),
        std::string("\"stride != 1 or in != out\"").size(),
        when);
    return error_of(config);
  };
  EXPECT_THAT(
      error_with_when("\"strde != 1\""),
      HasSubstr("/blocks/Res/shortcut/when|"));
  EXPECT_THAT(error_with_when("\"strde != 1\""), HasSubstr("strde"));
  EXPECT_THAT(
      error_with_when("\"stride != \""),
      HasSubstr("/blocks/Res/shortcut/when|"));
  EXPECT_THAT(
      error_with_when("\"stride\""), HasSubstr("/blocks/Res/shortcut/when|"));
  EXPECT_THAT(
      error_with_when("3"),
      HasSubstr("/blocks/Res/shortcut/when|t.json: /blocks/Res/shortcut/when: "
                "expected true, false or a condition"));
  // Deep nesting is refused, not a stack overflow.
  EXPECT_THAT(
      error_with_when("\"" + std::string(10000, '(') + "true\""),
      HasSubstr("/blocks/Res/shortcut/when|"));
}

TEST(Blocks, ErrorsInADefinitionNameTheInstance) {
  const std::string e = error_of(with_block(
      R"({"name": "s", "block": "Res", "repeat": 2,
          "args": {"in": 4, "out": 0}})"));
  EXPECT_THAT(e, HasSubstr("/blocks/Res/branch/0/out_channels|"));
  EXPECT_THAT(e, HasSubstr("expected an integer >= 1; got 0"));
  EXPECT_THAT(
      e, HasSubstr("(in s.0, an instance of block \"Res\" at /layers/0)"));
}

TEST(Blocks, InstanceErrorsPointAtTheInstance) {
  EXPECT_THAT(
      error_of(with_block(R"({"name": "s", "block": "Rse"})")),
      HasSubstr("/layers/0/block|t.json: /layers/0/block: unknown block "
                "\"Rse\"; did you mean \"Res\"?"));
  EXPECT_THAT(
      error_of(
          with_block(R"({"name": "s", "block": "Res", "args": {"in": 4}})")),
      HasSubstr("/layers/0|t.json: /layers/0: block \"Res\" needs argument "
                "\"out\""));
  EXPECT_THAT(
      error_of(with_block(
          R"({"name": "s", "block": "Res", "args": {"in": 4, "outt": 4}})")),
      HasSubstr("/layers/0/args/outt|"));
  EXPECT_THAT(
      error_of(with_block(
          R"({"name": "s", "block": "Res", "repeat": 0, "args": {"in": 4, "out": 4}})")),
      HasSubstr("/layers/0/repeat|"));
  EXPECT_THAT(
      error_of(with_block(
          R"({"name": "s", "block": "Res", "repeat": 10001, "args": {"in": 4, "out": 4}})")),
      HasSubstr("at most 10000 repeats"));
  EXPECT_THAT(
      error_of(with_block(R"({"name": "s", "block": "Res", "type": "ReLU"})")),
      HasSubstr("/layers/0/type|"));
  EXPECT_THAT(
      error_of(with_block(R"({"block": "Res", "args": {"in": 4, "out": 4}})")),
      HasSubstr("/layers/0/name|"));
}

TEST(Blocks, DefinitionsAreCheckedEvenWhenUnused) {
  const std::string unknown_arg = error_of(
      R"({"name": "t", "input": [4], "blocks": {"B": {"layers": [
           {"type": "Linear", "out_features": "$width"}]}},
          "layers": [{"name": "fc", "type": "Linear", "out_features": 2}]})");
  EXPECT_THAT(
      unknown_arg,
      HasSubstr("/blocks/B/layers/0/out_features|t.json: "
                "/blocks/B/layers/0/out_features: unknown block argument "
                "\"$width\"; block \"B\" takes no arguments"));
  EXPECT_THAT(
      error_of(R"({"name": "t", "input": [4], "blocks": {"B": {"layers": [
           {"name": "x", "block": "B"}]}}, "layers": [{"type": "ReLU"}]})"),
      HasSubstr("blocks do not nest"));
  EXPECT_THAT(
      error_of(R"({"name": "t", "input": [4], "blocks": {"B": {"branch": [
           {"type": "ReLU"}], "layers": [{"type": "ReLU"}]}},
           "layers": [{"type": "ReLU"}]})"),
      HasSubstr("/blocks/B|"));
  EXPECT_THAT(
      error_of(R"({"name": "t", "input": [4], "blocks": {"B": {"layers": [],
           "docs": ""}}, "layers": [{"type": "ReLU"}]})"),
      HasSubstr("/blocks/B/docs|"));
  EXPECT_THAT(
      error_of(R"({"name": "t", "input": [4], "blocks": {"1B": {"layers": [
           {"type": "ReLU"}]}}, "layers": [{"type": "ReLU"}]})"),
      HasSubstr("/blocks/1B|"));
}

TEST(Blocks, DollarDollarIsALiteralDollar) {
  // "$$x" reaches the layer as "$x": here an invalid type, named as such.
  EXPECT_THAT(
      error_of(R"({"name": "t", "input": [4], "blocks": {"B": {"layers": [
           {"type": "$$ReLU"}]}}, "layers": [{"name": "b", "block": "B"}]})"),
      HasSubstr("\"$ReLU\""));
}

TEST(Blocks, LocalInputsReferToTheBlocksOwnLayers) {
  const ModelConfig c = parse(
      R"({"name": "t", "input": [4], "blocks": {"Fork": {"layers": [
           {"name": "a", "type": "Linear", "out_features": 3},
           {"name": "b", "type": "Linear", "out_features": 3, "inputs": ["input"]},
           {"name": "sum", "type": "Add", "inputs": ["a", "b"]}]}},
          "layers": [{"name": "f", "block": "Fork", "repeat": 2},
                     {"name": "out", "type": "Linear", "out_features": 2,
                      "inputs": ["f"]}]})");
  EXPECT_THAT(layer_named(c, "f.1.b").inputs, ElementsAre("f.0.sum"));
  EXPECT_THAT(layer_named(c, "f.1.sum").inputs, ElementsAre("f.1.a", "f.1.b"));
  // An instance's name stands for its output.
  EXPECT_THAT(layer_named(c, "out").inputs, ElementsAre("f.1.sum"));
  EXPECT_THAT(
      error_of(
          R"({"name": "t", "input": [4], "blocks": {"B": {"layers": [
           {"name": "a", "type": "ReLU", "inputs": ["aa"]}]}},
          "layers": [{"name": "b", "block": "B"}]})"),
      HasSubstr("/blocks/B/layers/0/inputs/0|"));
}

TEST(Repeat, InlineLayersRepeatWithIndexedNames) {
  const ModelConfig c = parse(
      R"({"name": "t", "input": [4], "layers": [
           {"name": "hidden", "repeat": 3, "layers": [
             {"name": "fc", "type": "Linear", "out_features": 5},
             {"type": "ReLU"}]},
           {"name": "out", "type": "Linear", "out_features": 2}]})");
  EXPECT_THAT(
      names_of(c),
      ElementsAre(
          "hidden.0.fc",
          "hidden.0.1",
          "hidden.1.fc",
          "hidden.1.1",
          "hidden.2.fc",
          "hidden.2.1",
          "out"));
  EXPECT_THAT(layer_named(c, "hidden.1.fc").inputs, ElementsAre("hidden.0.1"));
}

TEST(Repeat, DeepReluExperimentIsThirtyRepeats) {
  const ModelConfig c =
      load_config(kConfigs / "experiments" / "deep_relu_init.json");
  ASSERT_EQ(c.layers.size(), 62U);
  EXPECT_EQ(c.layers[1].name, "hidden.0.fc");
  EXPECT_EQ(c.layers[60].name, "hidden.29.relu");
}

TEST(Roles, RulesMatchRolesAsAtRoleDotParam) {
  const ModelConfig c = parse(with_block(
      R"({"name": "s", "block": "Res", "args": {"in": 4, "out": 4}})",
      R"(, "init_rules": [{"pattern": "@branch_last.weight", "scheme": "zeros"}])"));
  const LayerConfig& last = layer_named(c, "s.conv2");
  EXPECT_THAT(last.roles, ElementsAre("branch_last"));
  EXPECT_TRUE(rule_matches("@branch_last.weight", last, "weight"));
  EXPECT_TRUE(rule_matches("@branch_*", last, "bias"));
  EXPECT_FALSE(
      rule_matches("@branch_last.weight", layer_named(c, "s.conv1"), "weight"));
  EXPECT_THAT(
      rule_names(last, "weight"),
      ElementsAre("s.conv2.weight", "Conv2d.weight", "@branch_last.weight"));
  EXPECT_THAT(
      error_of(with_block(
          R"({"name": "s", "block": "Res", "args": {"in": 4, "out": 4}})",
          R"(, "init_rules": [{"pattern": "@branch_lst.weight", "scheme": "zeros"}])")),
      HasSubstr("did you mean \"@branch_last.weight\"?"));
  EXPECT_THAT(
      error_of(R"({"name": "t", "input": [4], "layers": [
           {"name": "r", "type": "ReLU", "roles": ["a b"]}]})"),
      HasSubstr("/layers/0/roles/0|"));
}

TEST(Expanded, TheExpandedConfigIsAnEquivalentConfig) {
  const ModelConfig c = load_config(kConfigs / "resnet20.json");
  const ModelConfig e =
      parse_config(c.expanded_json, "expanded.json", fs::current_path());
  EXPECT_EQ(e.expanded_json, c.expanded_json);
  ASSERT_EQ(e.layers.size(), c.layers.size());
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    SCOPED_TRACE(c.layers[i].name);
    EXPECT_EQ(e.layers[i].name, c.layers[i].name);
    EXPECT_EQ(e.layers[i].spec.type_name(), c.layers[i].spec.type_name());
    EXPECT_EQ(e.layers[i].spec.args.values(), c.layers[i].spec.args.values());
    EXPECT_EQ(e.layers[i].roles, c.layers[i].roles);
  }
  EXPECT_EQ(c.expanded_json.find("\"blocks\""), std::string::npos);
}

TEST(Resnet20, HasTorchvisionNamesAndTheProjectionWhereShapesChange) {
  const ModelConfig c = load_config(kConfigs / "resnet20.json");
  EXPECT_EQ(c.layers.size(), 73U);
  std::vector<std::string> convs;
  for (const LayerConfig& l : c.layers) {
    if (l.spec.type_name() == "Conv2d") convs.push_back(l.name);
  }
  EXPECT_EQ(convs.size(), 21U);  // 1 + 9 blocks x 2 + 2 projections
  const std::vector<std::string> names = names_of(c);
  auto has = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  EXPECT_TRUE(has("layer1.0.conv1"));
  EXPECT_TRUE(has("layer2.0.downsample.0"));
  EXPECT_TRUE(has("layer3.0.downsample.1"));
  EXPECT_FALSE(has("layer1.0.downsample.0"));
  EXPECT_FALSE(has("layer2.1.downsample.0"));
  EXPECT_EQ(
      layer_named(c, "layer3.2.conv2").spec.args.integer("out_channels"), 64);
}

}  // namespace
}  // namespace initforge
