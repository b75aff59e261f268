// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/layer_type.h"

#include <algorithm>
#include <deque>

#include "framework/core/error.h"
#include "framework/layers/layer.h"

namespace initforge {
namespace {

// A deque keeps the addresses layer_types() hands out stable; registration
// runs from static initializers, so the table is created on first use.
std::deque<LayerType>& table() {
  static std::deque<LayerType> types;
  return types;
}

}  // namespace

LayerRegistration::LayerRegistration(LayerType type) {
  table().push_back(std::move(type));
}

std::vector<const LayerType*> layer_types() {
  std::vector<const LayerType*> out;
  for (const LayerType& t : table()) out.push_back(&t);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return a->name < b->name;
  });
  return out;
}

const LayerType* find_layer_type(std::string_view name) {
  for (const LayerType& t : table()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const std::string& LayerSpec::type_name() const {
  if (type == nullptr) throw UsageError("LayerSpec without a type");
  return type->name;
}

std::vector<std::string> LayerSpec::param_names() const {
  std::vector<std::string> names;
  if (type == nullptr) throw UsageError("LayerSpec without a type");
  for (const LayerParam& p : type->params) {
    if (p.present_if.empty() || args.boolean(p.present_if)) {
      names.push_back(p.name);
    }
  }
  return names;
}

LayerSpec bind_layer_spec(const LayerType& type, const ArgList& given) {
  LayerSpec spec{&type, bind_args(type.args, given)};
  if (type.check) type.check(spec.args);
  return spec;
}

LayerSpec layer_spec(std::string_view type, const ArgList& given) {
  const LayerType* t = find_layer_type(type);
  if (t == nullptr) {
    throw InvalidArgument("unknown layer type \"" + std::string(type) + "\"");
  }
  try {
    return bind_layer_spec(*t, given);
  } catch (const ArgumentError& e) {
    throw ArgumentError(e.key(), t->name + " " + e.key() + ": " + e.what());
  }
}

std::unique_ptr<Layer> make_layer(
    const LayerSpec& spec, std::span<const Shape> input_shapes) {
  // Bound again: a LayerSpec put together by hand has unchecked arguments.
  const ArgList given(spec.args.values().begin(), spec.args.values().end());
  const LayerSpec checked = layer_spec(spec.type_name(), given);
  return checked.type->make(checked.args, input_shapes);
}

}  // namespace initforge
