// SPDX-License-Identifier: Apache-2.0
#include "framework/model/init_check.h"

#include "framework/core/error.h"

namespace initforge {

void check_init_spec(
    const InitSpec& spec, const std::string& file, const Registry& registry) {
  if (spec.from) return;  // no scheme: plan_init checks the file
  if (!registry.contains(spec.scheme)) {
    try {
      registry.find(spec.scheme);  // throws, listing names and the closest
    } catch (const InvalidArgument& e) {
      throw ConfigError(file, spec.pointer + "/scheme", e.what());
    }
  }
  try {
    // Binding and creating catch cross-argument constraints (a > b) too;
    // the initializer is a few bytes: no parameter memory is touched.
    static_cast<void>(registry.create(spec.scheme, spec.args));
  } catch (const ArgumentError& e) {
    throw ConfigError(file, spec.pointer + "/" + e.key(), e.what());
  } catch (const InvalidArgument& e) {
    throw ConfigError(file, spec.pointer, e.what());
  }
}

void check_post_init_spec(
    const InitSpec& spec, const std::string& file, const Registry& registry) {
  check_init_spec(spec, file, registry);
  if (registry.find(spec.scheme).info.data_dependent) return;
  std::string known;
  for (const std::string& name : registry.names()) {
    if (!registry.find(name).info.data_dependent) continue;
    known += (known.empty() ? "" : ", ") + name;
  }
  throw ConfigError(
      file,
      spec.pointer + "/scheme",
      "\"" + spec.scheme +
          "\" is not data-dependent; post_init takes only schemes that "
          "calibrate on data (" +
          (known.empty() ? "none is loaded" : "loaded: " + known) +
          "); give ordinary schemes in \"init\" or \"init_rules\"");
}

void check_init_specs(const ModelConfig& config, const Registry& registry) {
  for (const LayerConfig& layer : config.layers) {
    for (const auto& [param, spec] : layer.init) {
      check_init_spec(spec, config.file, registry);
    }
  }
  for (const InitRule& rule : config.init_rules) {
    check_init_spec(rule.init, config.file, registry);
  }
  for (const InitRule& rule : config.post_init) {
    check_post_init_spec(rule.init, config.file, registry);
  }
}

}  // namespace initforge
