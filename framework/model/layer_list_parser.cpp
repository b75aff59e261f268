// SPDX-License-Identifier: Apache-2.0
#include "framework/model/layer_list_parser.h"

#include <algorithm>
#include <string>

#include "framework/init/text.h"
#include "framework/model/init_spec_parser.h"
#include "framework/model/layer_parser.h"

namespace initforge {

namespace {

constexpr std::array<std::string_view, 5> kCommonKeys{
    "name", "type", "inputs", "init", "roles"};

// The keys a layer of `type` may have; every type's keys when it is unknown.
std::vector<std::string_view> allowed_keys(const LayerType* type) {
  std::vector<std::string_view> keys(kCommonKeys.begin(), kCommonKeys.end());
  for (const LayerType* t : layer_types()) {
    if (type != nullptr && t != type) continue;
    for (const ArgSpec& spec : t->args) {
      if (std::find(keys.begin(), keys.end(), spec.name) == keys.end()) {
        keys.push_back(spec.name);
      }
    }
  }
  return keys;
}

// Names as written, for telling "later layer" from "unknown" in `inputs`.
std::vector<std::string> all_names(std::span<const LayerSource> layers) {
  std::vector<std::string> names;
  for (const LayerSource& source : layers) {
    const nlohmann::json& layer = source.layer;
    const bool named = layer.is_object() && layer.contains("name") &&
                       layer["name"].is_string();
    names.push_back(named ? layer["name"].get<std::string>() : "");
  }
  return names;
}

std::string parse_name(
    const JsonCursor& layer, const std::vector<LayerConfig>& earlier) {
  const JsonCursor c = layer.require("name", "a unique layer name");
  const std::string name = c.string();
  if (!valid_layer_name(name)) {
    c.expected(
        "a name of letters, digits and _ not starting with a digit, or "
        "dot-separated parts of those and indices (it prefixes parameter "
        "paths: \"fc1.weight\", \"layer1.0.conv1.weight\")");
  }
  if (name == "input") {
    c.fail("\"input\" names the model's input; choose another layer name");
  }
  for (const LayerConfig& e : earlier) {
    if (e.name == name) {
      c.fail(
          "duplicate layer name \"" + name + "\" (first used at " + e.pointer +
          "/name)");
    }
  }
  return name;
}

std::vector<std::string> parse_inputs(
    const JsonCursor& layer,
    std::size_t index,
    const std::string& name,
    const std::vector<std::string>& names) {
  std::vector<std::string> inputs;
  const auto c = layer.find("inputs");
  if (!c) return inputs;
  c->expect_array("an array of layer names");
  std::vector<std::string> known{"input"};
  known.insert(known.end(), names.begin(), names.begin() + index);
  for (std::size_t k = 0; k < c->size(); ++k) {
    const JsonCursor item = c->at(k);
    const std::string ref = item.string();
    if (std::find(known.begin(), known.end(), ref) != known.end()) {
      inputs.push_back(ref);
      continue;
    }
    if (ref == name) {
      item.fail(
          "layer \"" + name +
          "\" cannot take its own output (cycles are not allowed)");
    }
    if (std::find(names.begin() + index, names.end(), ref) != names.end()) {
      item.fail(
          "layer \"" + ref + "\" is defined after \"" + name +
          "\" (configs must list layers in order; cycles are not allowed)");
    }
    const std::string hint = closest_match(ref, known);
    item.fail(
        "unknown layer \"" + ref + "\";" +
        (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
        " expected \"input\" or the name of an earlier layer");
  }
  return inputs;
}

void check_arity(
    const JsonCursor& layer, const LayerConfig& config, const LayerType& type) {
  const std::size_t n = config.inputs.size();
  if (type.inputs == LayerInputs::TwoOrMore) {
    if (n == 0) {
      layer.require("inputs", type.name + " takes two or more earlier outputs");
    }
    if (n < 2) layer.find("inputs")->expected("at least two layer names");
  } else if (layer.has("inputs") && n != 1) {
    layer.find("inputs")->expected(
        "exactly one layer name for a " + type.name + " layer");
  }
}

// Role tags ("branch_last", "classifier"): init rules match "@role.param".
std::vector<std::string> parse_roles(const JsonCursor& layer) {
  std::vector<std::string> roles;
  const auto c = layer.find("roles");
  if (!c) return roles;
  constexpr std::string_view kWhat =
      "an array of role names (letters, digits and _), e.g. [\"classifier\"]";
  c->expect_array(kWhat);
  for (std::size_t k = 0; k < c->size(); ++k) {
    const JsonCursor item = c->at(k);
    const std::string role = item.non_empty_string();
    if (!valid_identifier(role)) {
      item.expected("a role name of letters, digits and _");
    }
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
      roles.push_back(role);
    }
  }
  return roles;
}

std::vector<std::pair<std::string, InitSpec>> parse_init(
    const JsonCursor& layer,
    const LayerSpec& spec,
    const std::filesystem::path& base_dir) {
  std::vector<std::pair<std::string, InitSpec>> out;
  const auto c = layer.find("init");
  if (!c) return out;
  c->expect_object("an object {PARAM: {\"scheme\": NAME, ...}}");
  const std::string& type = spec.type_name();
  std::vector<std::string> possible;
  for (const LayerParam& p : spec.type->params) possible.push_back(p.name);
  if (possible.empty() && !c->json().empty()) {
    c->fail("a " + type + " layer has no parameters to initialize");
  }
  const std::vector<std::string> owned = spec.param_names();
  for (const auto& item : c->json().items()) {
    const std::string& param = item.key();
    const JsonCursor init = *c->find(param);
    if (std::find(possible.begin(), possible.end(), param) == possible.end()) {
      const std::string hint = closest_match(param, possible);
      init.fail(
          "unknown parameter \"" + param + "\" of a " + type + " layer;" +
          (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
          " expected one of " + join_comma(possible));
    }
    if (std::find(owned.begin(), owned.end(), param) == owned.end()) {
      const std::string& flag =
          std::find_if(
              spec.type->params.begin(),
              spec.type->params.end(),
              [&](const LayerParam& p) { return p.name == param; })
              ->present_if;
      init.fail(
          "this " + type + " layer has no " + param + " (\"" + flag +
          "\": false)");
    }
  }
  // In declaration order (weight before bias), the order of initialization.
  for (const std::string& param : owned) {
    if (const auto init = c->find(param)) {
      out.emplace_back(
          param, parse_init_spec(*init, {}, LoadKeys::Layer, base_dir));
    }
  }
  return out;
}

}  // namespace

std::vector<LayerConfig> parse_layers(
    std::span<const LayerSource> layers,
    const std::string& file,
    const std::filesystem::path& base_dir) {
  const std::vector<std::string> names = all_names(layers);
  std::vector<LayerConfig> out;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const JsonCursor layer =
        JsonCursor(layers[i].layer, file, layers[i].pointer)
            .with_origin(layers[i].origin);
    layer.expect_object("a layer object {\"name\": ..., \"type\": ..., ...}");
    if (!layer.has("type")) {
      // A misspelled "type" is more likely than a missing one: say so.
      layer.check_keys(allowed_keys(nullptr), "a layer");
      layer.require("type", "a layer type such as \"Linear\"");
    }
    const LayerType& type = parse_layer_type(*layer.find("type"));
    layer.check_keys(allowed_keys(&type), "a " + type.name + " layer");
    LayerConfig config;
    config.pointer = layer.pointer();
    config.origin = layers[i].origin;
    config.name = parse_name(layer, out);
    config.spec = parse_layer_spec(layer, type);
    config.inputs = parse_inputs(layer, i, config.name, names);
    check_arity(layer, config, type);
    config.init = parse_init(layer, config.spec, base_dir);
    config.roles = parse_roles(layer);
    out.push_back(std::move(config));
  }
  return out;
}

}  // namespace initforge
