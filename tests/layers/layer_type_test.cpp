// SPDX-License-Identifier: Apache-2.0
// The layer table: every declared type is complete, binds its arguments
// like the schemes do, and builds layers whose parameters are the declared
// ones.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/layers/layer.h"

namespace initforge {
namespace {

// Arguments and inputs that build each type; a new type needs an entry.
struct Example {
  ArgList args;
  std::vector<Shape> inputs;
};
const std::map<std::string, Example>& examples() {
  static const std::map<std::string, Example> all = {
      {"Linear", {{{"out_features", 3}}, {Shape{4}}}},
      {"Conv2d", {{{"out_channels", 4}, {"kernel_size", 3}}, {Shape{2, 5, 5}}}},
      {"MaxPool2d", {{{"kernel_size", 2}}, {Shape{2, 4, 4}}}},
      {"AvgPool2d", {{{"kernel_size", 2}}, {Shape{2, 4, 4}}}},
      {"BatchNorm2d", {{}, {Shape{2, 4, 4}}}},
      {"Add", {{}, {Shape{3}, Shape{3}}}},
      {"BatchNorm1d", {{}, {Shape{3}}}},
      {"LayerNorm", {{{"normalized_shape", IntList{4, 4}}}, {Shape{2, 4, 4}}}},
      {"GroupNorm", {{{"num_groups", 2}}, {Shape{4, 3}}}},
      {"Conv1d", {{{"out_channels", 4}, {"kernel_size", 3}}, {Shape{2, 7}}}},
      {"ConvTranspose2d",
       {{{"out_channels", 4}, {"kernel_size", 3}}, {Shape{2, 5, 5}}}},
      {"AdaptiveAvgPool2d", {{{"output_size", 1}}, {Shape{2, 4, 4}}}},
      {"Concat", {{}, {Shape{2, 3, 3}, Shape{4, 3, 3}}}},
      {"Dropout", {{{"p", 0.2}}, {Shape{2, 3, 4}}}},
      {"AlphaDropout", {{{"p", 0.1}}, {Shape{5}}}},
  };
  return all;
}

Example example_of(const LayerType& type) {
  const auto it = examples().find(type.name);
  return it != examples().end() ? it->second : Example{{}, {Shape{2, 3}}};
}

TEST(LayerTable, TypesAreUniqueSortedAndDocumented) {
  const std::vector<const LayerType*> types = layer_types();
  ASSERT_GE(types.size(), 13U);
  std::set<std::string> names;
  for (const LayerType* t : types) {
    EXPECT_TRUE(names.insert(t->name).second) << t->name << " twice";
    EXPECT_FALSE(t->doc.empty()) << t->name;
    EXPECT_TRUE(t->make) << t->name;
    EXPECT_EQ(find_layer_type(t->name), t);
    for (const ArgSpec& spec : t->args) {
      EXPECT_FALSE(spec.doc.empty()) << t->name << "." << spec.name;
    }
    for (const LayerParam& p : t->params) {
      EXPECT_FALSE(p.default_scheme.empty()) << t->name << "." << p.name;
      EXPECT_FALSE(p.shape.empty()) << t->name << "." << p.name;
    }
  }
  EXPECT_TRUE(std::is_sorted(
      types.begin(), types.end(), [](const auto* a, const auto* b) {
        return a->name < b->name;
      }));
  EXPECT_EQ(find_layer_type("conv2d"), nullptr);  // exact case
}

TEST(LayerTable, EveryTypeBuildsALayerOwningTheDeclaredParameters) {
  for (const LayerType* type : layer_types()) {
    SCOPED_TRACE(type->name);
    const Example e = example_of(*type);
    const LayerSpec spec = layer_spec(type->name, e.args);
    const auto layer = make_layer(spec, e.inputs);
    EXPECT_EQ(layer->type(), type->name);
    std::vector<std::string> declared;
    for (const ParamDecl& p : layer->params()) declared.push_back(p.name);
    EXPECT_EQ(declared, spec.param_names());
  }
}

TEST(LayerTable, ABooleanHyperParameterDecidesWhetherAParameterExists) {
  EXPECT_EQ(
      layer_spec("Linear", {{"out_features", 2}, {"bias", false}})
          .param_names(),
      std::vector<std::string>{"weight"});
  EXPECT_EQ(
      layer_spec("Conv2d", {{"out_channels", 2}, {"kernel_size", 1}})
          .param_names(),
      (std::vector<std::string>{"weight", "bias"}));
}

TEST(LayerTable, TheNormalizationLayersAffineFlagsDecideTheirParameters) {
  EXPECT_EQ(
      layer_spec("LayerNorm", {{"normalized_shape", 8}}).param_names(),
      (std::vector<std::string>{"weight", "bias"}));
  EXPECT_TRUE(
      layer_spec(
          "LayerNorm", {{"normalized_shape", 8}, {"elementwise_affine", false}})
          .param_names()
          .empty());
  EXPECT_TRUE(layer_spec("GroupNorm", {{"num_groups", 2}, {"affine", false}})
                  .param_names()
                  .empty());
  // PyTorch's int normalized_shape means [n].
  EXPECT_EQ(
      layer_spec("LayerNorm", {{"normalized_shape", 8}})
          .args.int_list("normalized_shape"),
      IntList{8});
}

TEST(LayerTable, SpecsApplyDefaultsAndTakeAnIntegerForAPair) {
  const LayerSpec conv =
      layer_spec("Conv2d", {{"out_channels", 8}, {"kernel_size", 3}});
  EXPECT_EQ(conv.args.int_pair("kernel_size"), (IntPair{3, 3}));
  EXPECT_EQ(conv.args.int_pair("stride"), (IntPair{1, 1}));
  EXPECT_EQ(conv.args.integer("groups"), 1);
  EXPECT_TRUE(conv.args.boolean("bias"));
  EXPECT_EQ(
      layer_spec("MaxPool2d", {{"kernel_size", IntPair{2, 3}}})
          .args.int_pair("kernel_size"),
      (IntPair{2, 3}));
}

TEST(LayerTable, BadSpecsNameTheTypeAndTheArgument) {
  auto message = [](const std::string& type, const ArgList& args) {
    try {
      layer_spec(type, args);
    } catch (const ArgumentError& e) {
      return std::string(e.what());
    } catch (const InvalidArgument& e) {
      return "InvalidArgument: " + std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(
      message("Linear", {}),
      "Linear out_features: missing required argument \"out_features\"");
  EXPECT_EQ(
      message("Linear", {{"out_features", 3}, {"bais", true}}),
      "Linear bais: unknown argument \"bais\"; did you mean \"bias\"? known: "
      "bias, out_features");
  EXPECT_EQ(
      message("Conv2d", {{"out_channels", 3}, {"kernel_size", 2.5}}),
      "Conv2d kernel_size: expected an integer or [height, width]; got 2.5");
  EXPECT_EQ(
      message("Dense", {}), "InvalidArgument: unknown layer type \"Dense\"");
}

TEST(LayerTable, MakeLayerChecksASpecPutTogetherByHand) {
  LayerSpec spec = layer_spec("Linear", {{"out_features", 3}});
  spec.args = Args({{"out_features", std::int64_t{0}}, {"bias", true}});
  EXPECT_THROW(make_layer(spec, {{Shape{4}}}), ArgumentError);
}

}  // namespace
}  // namespace initforge
