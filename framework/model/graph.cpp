// SPDX-License-Identifier: Apache-2.0
#include "framework/model/graph.h"

#include <map>
#include <utility>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/init/text.h"

namespace initforge {
namespace {

using Edges = std::vector<std::vector<int>>;

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

// Producers reachable from `start` that lead back to it: the cycle
// start -> ... -> start ("takes input from"), or empty when there is none.
bool find_cycle(
    const Edges& edges,
    int node,
    int start,
    std::vector<bool>& seen,
    std::vector<int>& path) {
  for (const int next : edges[static_cast<std::size_t>(node)]) {
    if (next == kModelInput) continue;
    if (next == start) {
      path.push_back(next);
      return true;
    }
    if (seen[static_cast<std::size_t>(next)]) continue;
    seen[static_cast<std::size_t>(next)] = true;
    path.push_back(next);
    if (find_cycle(edges, next, start, seen, path)) return true;
    path.pop_back();
  }
  return false;
}

// Resolves `inputs` names (or the default) of every layer to node indices.
Edges resolve_edges(const ModelConfig& config) {
  const auto& layers = config.layers;
  std::map<std::string, int> index;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerConfig& layer = layers[i];
    if (layer.name == "input") {
      throw ConfigError(
          config.file,
          layer.pointer + "/name",
          "\"input\" names the model input; choose another layer name");
    }
    const auto [it, added] = index.emplace(layer.name, static_cast<int>(i));
    if (!added) {
      throw ConfigError(
          config.file,
          layer.pointer + "/name",
          "duplicate layer name " + quoted(layer.name) + " (also at " +
              layers[static_cast<std::size_t>(it->second)].pointer + ")" +
              origin_note(layer));
    }
  }
  Edges edges(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerConfig& layer = layers[i];
    if (layer.inputs.empty()) {
      edges[i] = {i == 0 ? kModelInput : static_cast<int>(i) - 1};
      continue;
    }
    for (std::size_t k = 0; k < layer.inputs.size(); ++k) {
      const std::string& name = layer.inputs[k];
      if (name == "input") {
        edges[i].push_back(kModelInput);
        continue;
      }
      const auto it = index.find(name);
      if (it == index.end()) {
        std::vector<std::string> earlier = {"input"};
        for (std::size_t j = 0; j < i; ++j) earlier.push_back(layers[j].name);
        const std::string hint = closest_match(name, earlier);
        throw ConfigError(
            config.file,
            layer.pointer + "/inputs/" + std::to_string(k),
            "unknown input " + quoted(name) +
                "; expected \"input\" or the name of an earlier layer" +
                (hint.empty() ? "" : " (did you mean " + quoted(hint) + "?)"));
      }
      edges[i].push_back(it->second);
    }
  }
  return edges;
}

// Inputs must name earlier layers, so config order is a topological order.
// A later name is reported as the cycle it closes, if it closes one.
void check_order(const ModelConfig& config, const Edges& edges) {
  const auto& layers = config.layers;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    for (std::size_t k = 0; k < edges[i].size(); ++k) {
      const int j = edges[i][k];
      if (j < static_cast<int>(i)) continue;
      const std::string where =
          layers[i].pointer + "/inputs/" + std::to_string(k);
      std::vector<bool> seen(edges.size(), false);
      std::vector<int> path = {static_cast<int>(i)};
      if (find_cycle(
              edges, static_cast<int>(i), static_cast<int>(i), seen, path)) {
        std::string text;
        for (std::size_t p = 0; p + 1 < path.size(); ++p) {
          text += (p == 0 ? "" : ", ") +
                  quoted(layers[static_cast<std::size_t>(path[p])].name) +
                  " takes " +
                  quoted(layers[static_cast<std::size_t>(path[p + 1])].name);
        }
        throw ConfigError(config.file, where, "inputs form a cycle: " + text);
      }
      throw ConfigError(
          config.file,
          where,
          quoted(layers[static_cast<std::size_t>(j)].name) + " is " +
              layers[static_cast<std::size_t>(j)].pointer +
              ", which comes later; inputs must name \"input\" or an earlier "
              "layer");
    }
  }
}

}  // namespace

Graph::Graph(const ModelConfig& config)
    : file_(config.file), input_(config.input) {
  if (config.layers.empty()) {
    throw ConfigError(
        file_, "/layers", expected_got("at least one layer", "none"));
  }
  const Edges edges = resolve_edges(config);
  check_order(config, edges);

  nodes_.reserve(config.layers.size());
  for (std::size_t i = 0; i < config.layers.size(); ++i) {
    const LayerConfig& layer = config.layers[i];
    GraphNode node;
    node.name = layer.name;
    node.type = layer.spec.type_name();
    node.pointer = layer.pointer;
    node.inputs = edges[i];
    for (const int j : node.inputs) {
      const bool model_input = j == kModelInput;
      const GraphNode* producer =
          model_input ? nullptr : &nodes_[static_cast<std::size_t>(j)];
      node.input_names.push_back(model_input ? "input" : producer->name);
      node.input_shapes.push_back(
          model_input ? input_ : producer->output_shape());
    }
    try {
      node.layer = make_layer(layer.spec, node.input_shapes);
    } catch (const ShapeError& e) {
      throw ConfigError(file_, layer.pointer, e.what() + origin_note(layer));
    } catch (const InvalidArgument& e) {
      throw ConfigError(file_, layer.pointer, e.what() + origin_note(layer));
    }
    nodes_.push_back(std::move(node));
  }
}

Graph::Graph(Graph&&) noexcept = default;
Graph& Graph::operator=(Graph&&) noexcept = default;
Graph::~Graph() = default;

}  // namespace initforge
