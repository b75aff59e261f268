// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/core/shape.h"
#include "framework/layers/layer.h"
#include "framework/model/config.h"

namespace initforge {

/// A node's input that is the model input rather than another node.
inline constexpr int kModelInput = -1;

/// One layer of the graph; node i is config.layers[i].
struct GraphNode {
  std::string name;
  std::string type;                      // "Conv2d"
  std::string pointer;                   // "/layers/3"
  std::vector<int> inputs;               // producer node indices or kModelInput
  std::vector<std::string> input_names;  // "input" or the producer's name
  std::vector<Shape> input_shapes;       // per sample, no batch dimension
  std::unique_ptr<Layer> layer;          // owns the shape-inferred layer

  const Shape& output_shape() const {
    return layer->output_shape();
  }
};

/// The layers of a config as a checked graph. Construction resolves every
/// edge (a layer's `inputs`, or by default the previous layer, the first one
/// taking "input"), refuses unknown inputs, cycles and inputs that name a
/// later layer, and builds each layer for its inferred input shapes; no
/// tensor is allocated. Every error is a ConfigError at the layer's pointer.
/// The model's output is the last layer's.
class INITFORGE_API Graph {
 public:
  explicit Graph(const ModelConfig& config);
  Graph(Graph&&) noexcept;
  Graph& operator=(Graph&&) noexcept;
  ~Graph();

  /// The config file, for messages.
  const std::string& file() const {
    return file_;
  }
  /// One sample of the model input.
  const Shape& input_shape() const {
    return input_;
  }
  std::span<GraphNode> nodes() {
    return nodes_;
  }
  std::span<const GraphNode> nodes() const {
    return nodes_;
  }
  /// One sample of the model output (the last layer's).
  const Shape& output_shape() const {
    return nodes_.back().output_shape();
  }

 private:
  std::string file_;
  Shape input_;
  std::vector<GraphNode> nodes_;
};

}  // namespace initforge
