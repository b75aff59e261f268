// SPDX-License-Identifier: Apache-2.0
#include "framework/model/config_loader.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "framework/core/error.h"

#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

using initforge::testing::TempDir;

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kConfigs = INITFORGE_CONFIGS_DIR;

ModelConfig parse(const std::string& text) {
  return parse_config(text, "t.json", fs::current_path());
}

// A config with `layers` (JSON text) after a valid name and input.
ModelConfig with_layers(
    const std::string& layers, const std::string& rest = "") {
  return parse(
      R"({"name": "t", "input": [3, 8, 8], "layers": [)" + layers + "]" + rest +
      "}");
}

// The ConfigError `text` raises, as "pointer|message".
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.pointer() + "|" + e.what();
  }
  return "no error";
}

const InitSpec& init_of(const LayerConfig& layer, const std::string& param) {
  for (const auto& [name, spec] : layer.init) {
    if (name == param) return spec;
  }
  throw std::runtime_error("no init for " + param);
}

TEST(LoadConfig, MlpExampleUsesPyTorchDefaults) {
  const ModelConfig c = load_config(kConfigs / "mlp.json");
  EXPECT_EQ(c.file, (kConfigs / "mlp.json").string());
  EXPECT_EQ(c.name, "fashion_mnist_mlp");
  ASSERT_EQ(c.layers.size(), 6U);
  EXPECT_TRUE(c.init_rules.empty());
  for (const LayerConfig& layer : c.layers) EXPECT_TRUE(layer.init.empty());
  EXPECT_TRUE(c.train.has_value());
}

TEST(LoadConfig, MlpCustomInitExampleLoads) {
  const ModelConfig c = load_config(kConfigs / "mlp_custom_init.json");
  EXPECT_EQ(c.name, "fashion_mnist_mlp_custom_init");
  EXPECT_EQ(c.input, Shape({1, 28, 28}));
  ASSERT_EQ(c.layers.size(), 6U);
  EXPECT_TRUE(c.layers[0].spec.type_name() == "Flatten");
  const int widths[] = {256, 128, 10};
  for (int k = 0; k < 3; ++k) {
    const LayerConfig& fc = c.layers[1 + 2 * k];
    ASSERT_TRUE(fc.spec.type_name() == "Linear");
    EXPECT_EQ(fc.spec.args.integer("out_features"), widths[k]);
  }
  EXPECT_EQ(c.layers[1].name, "fc1");
  EXPECT_EQ(c.layers[1].pointer, "/layers/1");
  const InitSpec& w = init_of(c.layers[1], "weight");
  EXPECT_EQ(w.scheme, "kaiming_uniform");
  EXPECT_EQ(w.pointer, "/layers/1/init/weight");
  ASSERT_EQ(w.args.size(), 1U);
  EXPECT_EQ(w.args[0].first, "nonlinearity");
  EXPECT_EQ(std::get<std::string>(w.args[0].second), "relu");
  ASSERT_EQ(c.init_rules.size(), 1U);
  EXPECT_EQ(c.init_rules[0].pattern, "*.bias");
  EXPECT_EQ(c.init_rules[0].init.scheme, "zeros");
  EXPECT_TRUE(c.init_rules[0].init.args.empty());  // "pattern" is no arg
  EXPECT_EQ(c.init_rules[0].pointer, "/init_rules/0");
}

TEST(LoadConfig, CnnExampleHasTheIssueArchitecture) {
  const ModelConfig c = load_config(kConfigs / "cnn.json");
  ASSERT_EQ(c.layers.size(), 10U);
  const Args& conv2 = c.layers[3].spec.args;
  EXPECT_EQ(conv2.integer("out_channels"), 64);
  EXPECT_EQ(conv2.int_pair("kernel_size"), (IntPair{3, 3}));
  EXPECT_EQ(conv2.int_pair("padding"), (IntPair{1, 1}));
  EXPECT_EQ(conv2.int_pair("stride"), (IntPair{1, 1}));
  const Args& pool = c.layers[2].spec.args;
  EXPECT_EQ(pool.int_pair("kernel_size"), (IntPair{2, 2}));
  EXPECT_EQ(
      pool.int_pair("stride"),
      (IntPair{0, 0}));  // PyTorch: defaults to the kernel
  EXPECT_EQ(c.layers[7].spec.args.integer("out_features"), 128);
  EXPECT_TRUE(c.init_rules.empty());  // PyTorch's default init
  EXPECT_TRUE(c.layers[9].init.empty());
}

TEST(LoadConfig, ResnetBlockHasAResidualAdd) {
  const ModelConfig c = load_config(kConfigs / "resnet_block.json");
  EXPECT_EQ(c.rng, RngKind::Torch);
  EXPECT_EQ(c.seed, 7U);
  EXPECT_FALSE(c.layers[0].spec.args.boolean("bias"));
  EXPECT_TRUE(c.layers[1].spec.type_name() == "BatchNorm2d");
  const LayerConfig& add = c.layers[5];
  EXPECT_TRUE(add.spec.type_name() == "Add");
  EXPECT_EQ(add.inputs, (std::vector<std::string>{"bn2", "input"}));
  EXPECT_TRUE(c.layers[6].inputs.empty());  // the previous layer
}

TEST(LoadConfig, DeepReluHasThirtyHiddenLayers) {
  const ModelConfig c = load_config(kConfigs / "deep_relu_30.json");
  ASSERT_EQ(c.layers.size(), 62U);  // flatten + 30 x (Linear, ReLU) + out
  int linear = 0;
  for (const LayerConfig& l : c.layers) {
    if (l.spec.type_name() == "Linear") {
      ++linear;
      if (l.name != "out") {
        EXPECT_EQ(l.spec.args.integer("out_features"), 256);
      }
    }
  }
  EXPECT_EQ(linear, 31);
  EXPECT_EQ(c.init_rules[0].pattern, "Linear.weight");
  EXPECT_EQ(init_of(c.layers.back(), "weight").scheme, "kaiming_normal");
}

// Klambauer et al. 2017's self-normalizing MLP: the repeat expands to eight
// Linear, SELU, AlphaDropout triples, every Linear weight lecun_normal.
TEST(LoadConfig, SeluMlpRepeatsEightSeluBlocks) {
  const ModelConfig c = load_config(kConfigs / "selu_mlp.json");
  ASSERT_EQ(c.layers.size(), 26U);  // flatten + 8 x 3 + out
  EXPECT_EQ(c.layers[1].name, "hidden.0.fc");
  EXPECT_EQ(c.layers[24].name, "hidden.7.drop");
  int selu = 0;
  int dropout = 0;
  for (const LayerConfig& l : c.layers) {
    selu += l.spec.type_name() == "SELU" ? 1 : 0;
    if (l.spec.type_name() == "AlphaDropout") {
      ++dropout;
      EXPECT_DOUBLE_EQ(l.spec.args.number("p"), 0.05);
    }
  }
  EXPECT_EQ(selu, 8);
  EXPECT_EQ(dropout, 8);
  EXPECT_EQ(c.init_rules[0].pattern, "Linear.weight");
  EXPECT_EQ(c.init_rules[0].init.scheme, "lecun_normal");
  EXPECT_EQ(c.init_rules[1].init.scheme, "zeros");
}

TEST(LoadConfig, DefaultsFollowPyTorch) {
  const ModelConfig c = with_layers(
      R"({"name": "c", "type": "Conv2d", "out_channels": 4, "kernel_size": [3, 5]},
         {"name": "bn", "type": "BatchNorm2d"},
         {"name": "a", "type": "LeakyReLU"}, {"name": "g", "type": "GELU"},
         {"name": "p", "type": "AvgPool2d", "kernel_size": 2},
         {"name": "f", "type": "Flatten"}, {"name": "s", "type": "Softmax"})");
  EXPECT_EQ(c.seed, 0U);
  EXPECT_EQ(c.rng, RngKind::Philox);
  EXPECT_TRUE(c.init_rules.empty());
  EXPECT_TRUE(c.plugin_paths.empty());
  const Args& conv = c.layers[0].spec.args;
  EXPECT_EQ(conv.int_pair("kernel_size"), (IntPair{3, 5}));
  EXPECT_EQ(conv.int_pair("dilation"), (IntPair{1, 1}));
  EXPECT_EQ(conv.integer("groups"), 1);
  EXPECT_TRUE(conv.boolean("bias"));
  EXPECT_EQ(c.layers[1].spec.args.number("eps"), 1e-5);
  EXPECT_EQ(c.layers[1].spec.args.number("momentum"), 0.1);
  EXPECT_EQ(c.layers[2].spec.args.number("negative_slope"), 0.01);
  EXPECT_EQ(c.layers[3].spec.args.string("approximate"), "none");
  EXPECT_TRUE(c.layers[4].spec.args.boolean("count_include_pad"));
  EXPECT_EQ(c.layers[5].spec.args.integer("start_dim"), 1);
  EXPECT_EQ(c.layers[5].spec.args.integer("end_dim"), -1);
  EXPECT_EQ(c.layers[6].spec.args.integer("dim"), 1);
}

TEST(LoadConfig, ReadsEveryHyperParameter) {
  const ModelConfig c = with_layers(
      R"({"name": "c", "type": "Conv2d", "out_channels": 4, "kernel_size": 3,
          "stride": [2, 1], "padding": 1, "dilation": 2, "groups": 2, "bias": false},
         {"name": "m", "type": "MaxPool2d", "kernel_size": 3, "stride": 2, "padding": 1},
         {"name": "a", "type": "LeakyReLU", "negative_slope": 0.2},
         {"name": "g", "type": "GELU", "approximate": "tanh"},
         {"name": "p", "type": "AvgPool2d", "kernel_size": [2, 4], "count_include_pad": false},
         {"name": "f", "type": "Flatten", "start_dim": 0, "end_dim": 2},
         {"name": "s", "type": "Softmax", "dim": -1},
         {"name": "l", "type": "Linear", "out_features": 7, "bias": false})");
  const Args& conv = c.layers[0].spec.args;
  EXPECT_EQ(conv.int_pair("stride"), (IntPair{2, 1}));
  EXPECT_EQ(conv.int_pair("padding"), (IntPair{1, 1}));
  EXPECT_EQ(conv.int_pair("dilation"), (IntPair{2, 2}));
  EXPECT_EQ(conv.integer("groups"), 2);
  EXPECT_FALSE(conv.boolean("bias"));
  const Args& max = c.layers[1].spec.args;
  EXPECT_EQ(max.int_pair("stride"), (IntPair{2, 2}));
  EXPECT_EQ(max.int_pair("padding"), (IntPair{1, 1}));
  EXPECT_EQ(c.layers[2].spec.args.number("negative_slope"), 0.2);
  EXPECT_EQ(c.layers[3].spec.args.string("approximate"), "tanh");
  const Args& avg = c.layers[4].spec.args;
  EXPECT_EQ(avg.int_pair("kernel_size"), (IntPair{2, 4}));
  EXPECT_FALSE(avg.boolean("count_include_pad"));
  EXPECT_EQ(c.layers[5].spec.args.integer("start_dim"), 0);
  EXPECT_EQ(c.layers[6].spec.args.integer("dim"), -1);
  EXPECT_FALSE(c.layers[7].spec.args.boolean("bias"));
}

TEST(LoadConfig, ReadsTheNormalizationLayers) {
  // normalized_shape as PyTorch takes it: an int, or a list of any length
  // (a JSON pair among them).
  const ModelConfig c = with_layers(
      R"({"name": "ln1", "type": "LayerNorm", "normalized_shape": 8},
         {"name": "ln2", "type": "LayerNorm", "normalized_shape": [8, 8]},
         {"name": "ln3", "type": "LayerNorm", "normalized_shape": [3, 8, 8],
          "eps": 1e-6, "elementwise_affine": false},
         {"name": "gn", "type": "GroupNorm", "num_groups": 3, "affine": false},
         {"name": "f", "type": "Flatten", "start_dim": 2},
         {"name": "bn", "type": "BatchNorm1d", "momentum": 0.2})");
  EXPECT_EQ(c.layers[0].spec.args.int_list("normalized_shape"), IntList{8});
  EXPECT_EQ(
      c.layers[1].spec.args.int_list("normalized_shape"), (IntList{8, 8}));
  const Args& ln3 = c.layers[2].spec.args;
  EXPECT_EQ(ln3.int_list("normalized_shape"), (IntList{3, 8, 8}));
  EXPECT_EQ(ln3.number("eps"), 1e-6);
  EXPECT_FALSE(ln3.boolean("elementwise_affine"));
  EXPECT_EQ(c.layers[3].spec.args.integer("num_groups"), 3);
  EXPECT_FALSE(c.layers[3].spec.args.boolean("affine"));
  EXPECT_TRUE(c.layers[3].spec.param_names().empty());
  EXPECT_EQ(c.layers[5].spec.args.number("momentum"), 0.2);
  EXPECT_EQ(c.layers[5].spec.args.number("eps"), 1e-5);
}

TEST(LoadConfig, SeedCoversTheWholeUnsignedRange) {
  const std::string layers = R"([{"name": "f", "type": "Flatten"}])";
  EXPECT_EQ(
      parse(
          R"({"name": "t", "input": [4], "seed": 18446744073709551615,
                "layers": )" +
          layers + "}")
          .seed,
      18446744073709551615ULL);
  EXPECT_THAT(
      error_of(
          R"({"name": "t", "input": [4], "seed": 18446744073709551616,
                   "layers": )" +
          layers + "}"),
      HasSubstr("/seed|"));
}

TEST(LoadConfig, InitArgumentsKeepTheirJsonTypes) {
  const ModelConfig c = with_layers(
      R"({"name": "l", "type": "Linear", "out_features": 2, "init": {
          "bias": {"scheme": "s", "flag": true, "name": "x"},
          "weight": {"scheme": "s", "i": 3, "d": 0.5, "e": 2.0}}})");
  const LayerConfig& l = c.layers[0];
  ASSERT_EQ(l.init.size(), 2U);
  EXPECT_EQ(l.init[0].first, "weight");  // weight before bias, as PyTorch
  EXPECT_EQ(l.init[1].first, "bias");
  const auto& w = l.init[0].second.args;  // sorted by name: d, e, i
  ASSERT_EQ(w.size(), 3U);
  EXPECT_EQ(std::get<double>(w[0].second), 0.5);
  EXPECT_EQ(std::get<double>(w[1].second), 2.0);  // 2.0 stays a float
  EXPECT_EQ(std::get<std::int64_t>(w[2].second), 3);
  const auto& b = l.init[1].second.args;
  EXPECT_EQ(std::get<bool>(b[0].second), true);
  EXPECT_EQ(std::get<std::string>(b[1].second), "x");
}

TEST(LoadConfig, MalformedJsonNamesFileLineAndColumn) {
  try {
    parse_config("{\n  \"name\": \"t\",\n  ]", "dir/x.json", ".");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.pointer(), "");
    EXPECT_THAT(
        e.what(),
        ::testing::StartsWith("dir/x.json: line 3, column 3: malformed JSON:"));
  }
}

TEST(LoadConfig, KeysWithSlashOrTildeAreEscapedInPointers) {
  EXPECT_THAT(error_of(R"({"name": "t", "a/b~c": 1})"), HasSubstr("/a~1b~0c|"));
  // The parser's pointer (duplicate keys) escapes the same way.
  EXPECT_THAT(
      error_of(R"({"name": "t", "x~/y": [{"a/b": 1, "a/b": 2}]})"),
      HasSubstr("/x~0~1y/0/a~1b: duplicate key"));
}

TEST(LoadConfig, DuplicateKeysInsideArraysAreLocated) {
  EXPECT_THAT(
      error_of(R"({"name": "t", "input": [1], "layers": [
          {"name": "f", "type": "Flatten"},
          {"name": "g", "type": "Flatten", "name": "h"}]})"),
      HasSubstr("/layers/1/name|t.json: /layers/1/name: duplicate key"));
}

TEST(LoadConfig, ErrorsAreCheckedInDocumentOrder) {
  // name is checked before layers: the first problem a reader meets.
  EXPECT_THAT(
      error_of(R"({"name": 1, "input": [1], "layers": []})"),
      HasSubstr("/name|"));
}

TEST(LoadConfig, NumbersThatOverflowToInfinityAreRefused) {
  EXPECT_THAT(
      error_of(R"({"name": "t", "input": [4], "layers": [
          {"name": "a", "type": "LeakyReLU", "negative_slope": 1e999}]})"),
      HasSubstr("/layers/0/negative_slope|t.json: /layers/0/negative_slope: "
                "expected a finite number (a double); got 1e999"));
  EXPECT_THAT(
      error_of(R"({"name": "t", "input": [4], "layers": [
          {"name": "l", "type": "Linear", "out_features": 2,
           "init": {"weight": {"scheme": "normal", "std": -1e999}}}]})"),
      HasSubstr("/layers/0/init/weight/std|"));
}

TEST(LoadConfig, UnknownTypeFarFromEveryNameHasNoHint) {
  const std::string e = error_of(R"({"name": "t", "input": [4], "layers": [
      {"name": "x", "type": "Transformer"}]})");
  EXPECT_THAT(e, HasSubstr("/layers/0/type|"));
  EXPECT_THAT(e, HasSubstr("unknown layer type \"Transformer\"; expected"));
}

TEST(LoadConfig, EmptyInitOnAParameterlessLayerIsAccepted) {
  const ModelConfig c =
      with_layers(R"({"name": "r", "type": "ReLU", "init": {}})");
  EXPECT_TRUE(c.layers[0].init.empty());
}

TEST(LoadConfig, PluginPathsAreResolvedAgainstTheConfigDirectory) {
  const TempDir dir;
  fs::create_directories(dir.path() / "plugins");
  const fs::path file = dir.write(
      "m.json",
      R"({"name": "t", "input": [4], "layers": [{"name": "f", "type": "Flatten"}],
          "plugins": {"paths": ["plugins", ")" +
          (dir.path() / "m.json").string() + R"("]}})");
  const ModelConfig c = load_config(file);
  ASSERT_EQ(c.plugin_paths.size(), 2U);
  EXPECT_EQ(c.plugin_paths[0], dir.path() / "plugins");
  EXPECT_EQ(c.plugin_paths[1], dir.path() / "m.json");  // absolute: kept
}

TEST(LoadConfig, MissingFileIsAnIoError) {
  const TempDir dir;
  EXPECT_THROW(load_config(dir.path() / "nope.json"), IoError);
  EXPECT_THROW(load_config(dir.path()), IoError);  // a directory
  try {
    load_config(dir.path() / "nope.json");
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("nope.json: No such file or directory"));
  }
}

}  // namespace
}  // namespace initforge
