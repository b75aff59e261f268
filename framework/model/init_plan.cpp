// SPDX-License-Identifier: Apache-2.0
#include "framework/model/init_plan.h"

#include <algorithm>
#include <cmath>

#include "framework/core/error.h"
#include "framework/init/text.h"
#include "framework/model/init_check.h"
#include "framework/model/init_rules.h"

namespace initforge {
namespace {

// Refuses an `init` entry naming a parameter the layer does not declare.
void check_init_names(
    const std::string& file,
    const LayerConfig& layer,
    std::string_view type,
    const std::vector<ParamDecl>& decls) {
  std::vector<std::string> names;
  for (const ParamDecl& decl : decls) names.push_back(decl.name);
  for (const auto& [param, spec] : layer.init) {
    if (std::find(names.begin(), names.end(), param) != names.end()) continue;
    std::string known;
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    const std::string hint = closest_match(param, names);
    throw ConfigError(
        file,
        layer.pointer + "/init/" + param,
        std::string(type) + " layer \"" + layer.name +
            "\" has no parameter \"" + param + "\"; " +
            (names.empty() ? "it has no parameters"
                           : "expected one of " + known) +
            (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") +
            origin_note(layer));
  }
}

// The spec that decides `param`, by precedence: the layer's init, then the
// first matching rule; nullptr for the default. A "from" spec whose file
// holds the tensor sets out.load and the search goes on for the scheme
// that would decide without it (torch mode still draws); one whose rule
// says "missing": "init" and whose file lacks the tensor is passed over.
// A load already set (the whole-model load) passes over every "from".
const InitSpec* choose_spec(
    const ModelConfig& config,
    const LayerConfig& layer,
    std::string_view type,
    const ParamDecl& decl,
    LoadPlanner& loads,
    PlannedParam& out) {
  const auto decides = [&](const InitSpec& spec, const std::string& source) {
    if (!spec.from) return true;
    if (!out.load) {
      out.load =
          loads.from_spec(spec, source, out.info.path, out.info.shape, layer);
    }
    return false;
  };
  for (const auto& [param, spec] : layer.init) {
    if (param == decl.name && decides(spec, "layer init")) {
      out.source = InitSource::LayerInit;
      out.source_text = "layer init";
      return &spec;
    }
  }
  for (std::size_t r = 0; r < config.init_rules.size(); ++r) {
    const InitRule& rule = config.init_rules[r];
    const std::string source =
        "rule " + std::to_string(r) + " (" + rule.pattern + ")";
    if (rule_matches(rule.pattern, layer, decl.name) &&
        decides(rule.init, source)) {
      out.source = InitSource::Rule;
      out.source_text = source;
      return &rule.init;
    }
  }
  out.source = InitSource::Default;
  out.source_text = "default for " + std::string(type);
  return nullptr;
}

// A buffer's load by the first "from" rule that matches it (as rules match
// parameters) and whose file holds it.
std::optional<PlannedLoad> plan_rule_load(
    const ModelConfig& config,
    const LayerConfig& layer,
    const BufferDecl& buffer,
    const std::string& path,
    LoadPlanner& loads) {
  for (std::size_t r = 0; r < config.init_rules.size(); ++r) {
    const InitRule& rule = config.init_rules[r];
    if (!rule.init.from || !rule_matches(rule.pattern, layer, buffer.name)) {
      continue;
    }
    const std::string source =
        "rule " + std::to_string(r) + " (" + rule.pattern + ")";
    if (auto load =
            loads.from_spec(rule.init, source, path, buffer.shape, layer)) {
      return load;
    }
  }
  return std::nullopt;
}

// Binds the arguments and creates the initializer; errors at `pointer`.
void create_initializer(
    const std::string& file,
    const std::vector<std::pair<std::string, ArgValue>>& given,
    const Registry& registry,
    PlannedParam& out) {
  const bool by_default = out.source == InitSource::Default;
  const std::string prefix = by_default ? out.source_text + " (" + out.scheme +
                                              " for " + out.info.path + "): "
                                        : "";
  try {
    const RegisteredScheme& scheme = registry.find(out.scheme);
    out.args = bind_args(scheme.info.args, given);
    out.initializer = registry.create(out.scheme, given);
    out.library_path = scheme.library_path;
  } catch (const ArgumentError& e) {
    throw ConfigError(
        file,
        by_default ? out.pointer : out.pointer + "/" + e.key(),
        prefix + e.what());
  } catch (const InvalidArgument& e) {
    throw ConfigError(
        file,
        by_default ? out.pointer : out.pointer + "/scheme",
        prefix + e.what());
  }
  try {
    out.initializer->check(out.info);
    out.target = out.initializer->target(out.info);
  } catch (const InvalidArgument& e) {
    throw ConfigError(
        file,
        out.pointer,
        prefix + out.scheme + " cannot initialize " + out.info.path + " " +
            out.info.shape.to_string() + ": " + e.what());
  }
}

// The calibration step of `out` (already planned): the first post_init entry
// matching it (as init rules match), else its own data-dependent scheme.
void plan_calibration(
    const ModelConfig& config,
    const LayerConfig& layer,
    const std::string& param,
    const Registry& registry,
    PlannedParam& out) {
  for (std::size_t r = 0; r < config.post_init.size(); ++r) {
    const InitRule& rule = config.post_init[r];
    if (!rule_matches(rule.pattern, layer, param)) continue;
    check_post_init_spec(rule.init, config.file, registry);  // its messages
    PlannedCalibration c;
    c.scheme = rule.init.scheme;
    c.args = bind_args(registry.find(c.scheme).info.args, rule.init.args);
    c.source_text =
        "post_init " + std::to_string(r) + " (" + rule.pattern + ")";
    c.pointer = rule.init.pointer;
    c.library_path = registry.find(c.scheme).library_path;
    c.initializer = registry.create(c.scheme, rule.init.args);
    try {
      c.initializer->check(out.info);
    } catch (const InvalidArgument& e) {
      throw ConfigError(
          config.file,
          c.pointer,
          c.scheme + " cannot calibrate " + out.info.path + " " +
              out.info.shape.to_string() + ": " + e.what());
    }
    out.calibration = std::move(c);
    out.target = Target::unknown();  // rescaled: the fill's no longer holds
    return;
  }
  // A loaded value is not the fill's, so the fill's own calibration would
  // undo the load; an explicit post_init (above) still applies.
  if (!out.load && registry.find(out.scheme).info.data_dependent) {
    out.calibration = PlannedCalibration{
        .scheme = out.scheme,
        .args = out.args,
        .source_text = out.source_text,
        .pointer = out.pointer,
        .library_path = out.library_path,
        .initializer = out.initializer};
  }
}

// PyTorch's default for `param` (the layer type's declaration); nullptr when
// the type declares none.
const LayerParam* default_init(const LayerSpec& spec, std::string_view param) {
  for (const LayerParam& p : spec.type->params) {
    if (p.name == param) return &p;
  }
  return nullptr;
}

}  // namespace

bool InitPlan::calibrates() const {
  return std::any_of(params.begin(), params.end(), [](const PlannedParam& p) {
    return p.calibration.has_value();
  });
}

std::int64_t InitPlan::parameter_elements() const {
  std::int64_t total = 0;
  for (const PlannedParam& p : params) total += p.info.shape.numel();
  return total;
}

InitPlan plan_init(
    const ModelConfig& config, const Graph& graph, const Registry& registry) {
  InitPlan plan;
  LoadPlanner loads(config);
  std::vector<std::string> loaded;  // tensor paths the whole-model load uses
  std::vector<std::string> layers_with_buffers;
  const auto nodes = graph.nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const LayerConfig& layer = config.layers[i];
    const GraphNode& node = nodes[i];
    std::vector<ParamDecl> decls;
    std::vector<BufferDecl> buffers;
    try {
      decls = node.layer->params();
      buffers = node.layer->buffers();
    } catch (const ShapeError& e) {  // e.g. a weight whose size overflows
      throw ConfigError(
          config.file, layer.pointer, e.what() + origin_note(layer));
    }
    check_init_names(config.file, layer, node.type, decls);

    for (std::size_t p = 0; p < decls.size(); ++p) {
      const ParamDecl& decl = decls[p];
      PlannedParam out;
      out.node = i;
      out.param = p;
      out.info = ParamInfo{
          .path = layer.name + "." + decl.name,
          .shape = decl.shape,
          .fans = decl.fans};
      out.load = loads.whole_model(out.info.path, decl.shape);
      if (out.load) loaded.push_back(out.info.path);
      const InitSpec* spec =
          choose_spec(config, layer, node.type, decl, loads, out);
      std::vector<std::pair<std::string, ArgValue>> given;
      if (spec != nullptr) {
        check_init_spec(*spec, config.file, registry);  // its messages
        out.scheme = spec->scheme;
        out.pointer = spec->pointer;
        given = spec->args;
      } else {
        const LayerParam* def = default_init(layer.spec, decl.name);
        if (def == nullptr) {
          throw ConfigError(
              config.file,
              layer.pointer,
              node.type + " has no default initialization for \"" + decl.name +
                  "\"; give one in \"init\"" + origin_note(layer));
        }
        out.scheme = def->default_scheme;
        out.pointer = layer.pointer;
        given = def->default_args;
      }
      create_initializer(config.file, given, registry, out);
      plan_calibration(config, layer, decl.name, registry, out);
      if (out.load) out.target = Target::unknown();
      plan.params.push_back(std::move(out));
    }
    if (!buffers.empty()) layers_with_buffers.push_back(layer.name);
    for (const BufferDecl& buffer : buffers) {
      PlannedBuffer out{i, layer.name + "." + buffer.name, buffer, {}};
      out.load = loads.whole_model(out.path, buffer.shape);
      if (out.load) {
        loaded.push_back(out.path);
      } else {
        out.load = plan_rule_load(config, layer, buffer, out.path, loads);
      }
      plan.buffers.push_back(std::move(out));
    }
  }
  loads.check_all_used(loaded, layers_with_buffers);
  return plan;
}

}  // namespace initforge
