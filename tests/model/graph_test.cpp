// SPDX-License-Identifier: Apache-2.0
#include "framework/model/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/model/model_test_util.h"

namespace initforge {
namespace {

using testing::config_error;
using testing::config_of;
using ::testing::HasSubstr;
using testing::layer;
using ::testing::StartsWith;
using testing::with_layers;

TEST(Graph, DefaultInputsChainTheLayersInConfigOrder) {
  const Graph g(with_layers(
      "[1, 28, 28]",
      R"({"name": "flat", "type": "Flatten"},
         {"name": "fc1", "type": "Linear", "out_features": 32},
         {"name": "act", "type": "ReLU"},
         {"name": "fc2", "type": "Linear", "out_features": 10})"));
  ASSERT_EQ(g.nodes().size(), 4u);
  EXPECT_EQ(g.file(), "t.json");
  EXPECT_EQ(g.input_shape(), (Shape{1, 28, 28}));
  const std::vector<std::vector<int>> inputs = {{kModelInput}, {0}, {1}, {2}};
  const std::vector<std::string> names = {"input", "flat", "fc1", "act"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(g.nodes()[i].inputs, inputs[i]) << i;
    EXPECT_EQ(g.nodes()[i].input_names, std::vector<std::string>{names[i]});
    EXPECT_EQ(g.nodes()[i].pointer, "/layers/" + std::to_string(i));
  }
  EXPECT_EQ(g.nodes()[1].type, "Linear");
  EXPECT_EQ(g.nodes()[0].output_shape(), (Shape{784}));
  EXPECT_EQ(g.nodes()[1].input_shapes, std::vector<Shape>{Shape{784}});
  EXPECT_EQ(g.nodes()[2].output_shape(), (Shape{32}));
  EXPECT_EQ(g.output_shape(), (Shape{10}));
}

TEST(Graph, InputsMakeNonSequentialGraphs) {
  const Graph g(with_layers(
      "[4, 6, 6]",
      R"({"name": "conv", "type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
         {"name": "act", "type": "ReLU"},
         {"name": "sum", "type": "Add", "inputs": ["act", "input", "conv"]},
         {"name": "pool", "type": "MaxPool2d", "kernel_size": 2, "inputs": ["conv"]})"));
  EXPECT_EQ(g.nodes()[2].inputs, (std::vector<int>{1, kModelInput, 0}));
  EXPECT_EQ(
      g.nodes()[2].input_names,
      (std::vector<std::string>{"act", "input", "conv"}));
  EXPECT_EQ(g.nodes()[2].input_shapes.size(), 3u);
  EXPECT_EQ(g.nodes()[3].inputs, std::vector<int>{0});
  // The output is the last layer's, even when another branch is unused.
  EXPECT_EQ(g.output_shape(), (Shape{4, 3, 3}));
}

TEST(Graph, UnknownInputNamesTheEntryAndTheClosestEarlierLayer) {
  const ModelConfig c = config_of(
      {8},
      {layer("fc1", LinearOptions{4}),
       layer("act", ReLUOptions{}),
       layer("out", LinearOptions{2}, {"fc"})});
  const std::string error = config_error([&] { Graph{c}; });
  EXPECT_THAT(
      error, StartsWith("/layers/2/inputs/0|code.json: /layers/2/inputs/0: "));
  EXPECT_THAT(error, HasSubstr("unknown input \"fc\""));
  EXPECT_THAT(error, HasSubstr("did you mean \"fc1\"?"));
}

TEST(Graph, CyclesAreReportedAsCycles) {
  const ModelConfig two = config_of(
      {8},
      {layer("a", ReLUOptions{}, {"b"}), layer("b", ReLUOptions{}, {"a"})});
  EXPECT_EQ(
      config_error([&] { Graph{two}; }),
      "/layers/0/inputs/0|code.json: /layers/0/inputs/0: inputs form a cycle: "
      "\"a\" takes \"b\", \"b\" takes \"a\"");
  const ModelConfig self = config_of(
      {8}, {layer("a", ReLUOptions{}), layer("b", AddOptions{}, {"a", "b"})});
  EXPECT_THAT(
      config_error([&] { Graph{self}; }),
      StartsWith(
          "/layers/1/inputs/1|code.json: /layers/1/inputs/1: inputs form "
          "a cycle: \"b\" takes \"b\""));
}

TEST(Graph, InputsMustNameEarlierLayers) {
  const ModelConfig c = config_of(
      {8},
      {layer("a", ReLUOptions{}, {"c"}),
       layer("b", ReLUOptions{}),
       layer("c", ReLUOptions{}, {"input"})});
  EXPECT_EQ(
      config_error([&] { Graph{c}; }),
      "/layers/0/inputs/0|code.json: /layers/0/inputs/0: \"c\" is /layers/2, "
      "which comes later; inputs must name \"input\" or an earlier layer");
}

TEST(Graph, LayerNamesMustBeUniqueAndNotInput) {
  const ModelConfig twice =
      config_of({8}, {layer("a", ReLUOptions{}), layer("a", ReLUOptions{})});
  EXPECT_THAT(
      config_error([&] { Graph{twice}; }),
      StartsWith("/layers/1/name|code.json: /layers/1/name: duplicate layer "
                 "name \"a\" (also at /layers/0)"));
  const ModelConfig input = config_of({8}, {layer("input", ReLUOptions{})});
  EXPECT_THAT(
      config_error([&] { Graph{input}; }),
      HasSubstr("/layers/0/name: \"input\" names the model input"));
  EXPECT_THAT(
      config_error([&] { Graph{config_of({8}, {})}; }),
      HasSubstr("/layers: expected at least one layer"));
}

TEST(Graph, ShapeMismatchesBecomeConfigErrorsAtTheLayer) {
  EXPECT_THAT(
      config_error([&] {
        Graph{with_layers(
            "[1, 28, 28]",
            R"({"name": "c", "type": "Conv2d", "out_channels": 2, "kernel_size": 3},
               {"name": "fc", "type": "Linear", "out_features": 10})")};
      }),
      StartsWith("/layers/1|t.json: /layers/1: Linear: expected a flat input "
                 "[in_features] per sample; got [2, 26, 26]; add a Flatten"));
  EXPECT_THAT(
      config_error([&] {
        Graph{with_layers(
            "[3, 8, 8]",
            R"({"name": "c", "type": "Conv2d", "out_channels": 4, "kernel_size": 3},
               {"name": "sum", "type": "Add", "inputs": ["c", "input"]})")};
      }),
      StartsWith("/layers/1|t.json: /layers/1: Add: expected every input to "
                 "have the shape of input 0 [4, 6, 6]; got [3, 8, 8]"));
  EXPECT_THAT(
      config_error([&] {
        Graph{with_layers(
            "[784]",
            R"({"name": "c", "type": "Conv2d", "out_channels": 4, "kernel_size": 3})")};
      }),
      HasSubstr("/layers/0: Conv2d: expected a 3-D input"));
  EXPECT_THAT(
      config_error([&] {
        Graph{with_layers(
            "[1, 2, 2]",
            R"({"name": "p", "type": "MaxPool2d", "kernel_size": 3})")};
      }),
      StartsWith("/layers/0|t.json: /layers/0: MaxPool2d"));
}

}  // namespace
}  // namespace initforge
