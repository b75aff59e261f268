// SPDX-License-Identifier: Apache-2.0
#include "framework/model/layer_parser.h"

#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/init/text.h"
#include "framework/model/init_spec_parser.h"

namespace initforge {

const LayerType& parse_layer_type(const JsonCursor& type) {
  const std::string name = type.non_empty_string();
  if (const LayerType* t = find_layer_type(name)) return *t;
  std::vector<std::string> known;
  for (const LayerType* t : layer_types()) known.push_back(t->name);
  const std::string hint = closest_match(name, known);
  type.fail(
      "unknown layer type " + type.got() + ";" +
      (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
      " expected one of " + join_comma(known));
}

LayerSpec parse_layer_spec(const JsonCursor& layer, const LayerType& type) {
  ArgList given;
  for (const ArgSpec& spec : type.args) {
    const auto c = layer.find(spec.name);
    if (!c) {
      if (!spec.default_value) layer.require(spec.name, describe(spec.type));
      continue;
    }
    given.emplace_back(spec.name, parse_arg_value(*c, describe(spec.type)));
  }
  try {
    return bind_layer_spec(type, given);
  } catch (const ArgumentError& e) {
    if (const auto c = layer.find(e.key())) c->fail(e.what());
    layer.fail(type.name + " " + e.key() + ": " + e.what());  // a default
  }
}

}  // namespace initforge
