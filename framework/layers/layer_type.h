// SPDX-License-Identifier: Apache-2.0
#pragma once

// One declaration per layer type: its PyTorch name, hyper-parameters (the
// ArgSpec machinery of the schemes), parameters with PyTorch's default
// initialization, and factory. Each layer's own file registers it; the
// config parser, make_layer, `validate` and the layer reference in
// configs/README.md all read the same table.

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "framework/core/export.h"
#include "framework/core/shape.h"
#include "framework/init/args.h"

namespace initforge {

class Layer;

/// A parameter a layer type may own, with PyTorch's default initialization
/// of it (the module's reset_parameters).
struct LayerParam {
  std::string name;            // "weight"
  std::string default_scheme;  // "kaiming_uniform"
  ArgList default_args;        // {{"a", sqrt(5)}}
  std::string present_if;      // a boolean hyper-parameter ("bias"); "": always
  std::string shape;           // for the reference: "[out_features, in]"
};

/// How many inputs a layer takes.
enum class LayerInputs { One, TwoOrMore };

struct LayerType {
  std::string name;                  // PyTorch class name: "Conv2d"
  std::string doc;                   // one line
  std::vector<ArgSpec> args{};       // hyper-parameters, PyTorch's names
  std::vector<LayerParam> params{};  // in initialization order
  LayerInputs inputs = LayerInputs::One;
  /// Checks what spans several arguments (groups divides out_channels);
  /// throws ArgumentError naming the argument to blame. May be empty.
  std::function<void(const Args&)> check{};
  /// Builds the layer for inputs of these per-sample shapes; throws
  /// ShapeError naming what was expected and found.
  std::function<std::unique_ptr<Layer>(const Args&, std::span<const Shape>)>
      make{};
};

/// Adds a layer type to the table; a layer's file holds one static
/// LayerRegistration per type it implements.
struct INITFORGE_API LayerRegistration {
  explicit LayerRegistration(LayerType type);
};

/// Every layer type, sorted by name.
INITFORGE_API std::vector<const LayerType*> layer_types();

/// The type called `name` (exact, case-sensitive), or nullptr.
INITFORGE_API const LayerType* find_layer_type(std::string_view name);

/// A layer type with bound hyper-parameters: what a config's layer becomes.
struct INITFORGE_API LayerSpec {
  const LayerType* type = nullptr;
  Args args;

  const std::string& type_name() const;
  /// The parameters this layer owns, in initialization order: no "bias"
  /// for a Linear with bias false.
  std::vector<std::string> param_names() const;
};

/// Binds `given` to the type's hyper-parameters (defaults applied) and runs
/// its check. Throws ArgumentError (key = the argument) for a bad value,
/// with the schemes' message ("expected an integer >= 1; got 0").
INITFORGE_API LayerSpec
bind_layer_spec(const LayerType& type, const ArgList& given);

/// bind_layer_spec by type name; the message names type and argument
/// ("Linear out_features: ..."). InvalidArgument for an unknown type.
INITFORGE_API LayerSpec
layer_spec(std::string_view type, const ArgList& given = {});

}  // namespace initforge
