// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/model_common.h"

#include <charconv>
#include <vector>

#include "framework/core/error.h"
#include "framework/model/config_loader.h"
#include "framework/model/init_check.h"

namespace initforge::cli {
namespace {

// Built-in directory, INITFORGE_PLUGIN_PATH, each config's plugins.paths,
// then each --plugin-dir; a library named twice is loaded once.
void load_config_plugins(
    const std::vector<const ModelConfig*>& configs,
    const PluginOptions& plugins,
    Registry& registry) {
  std::vector<PluginLocation> config_paths;
  for (const ModelConfig* config : configs) {
    for (std::size_t i = 0; i < config->plugin_paths.size(); ++i) {
      config_paths.push_back(
          {config->plugin_paths[i],
           config->file + ": /plugins/paths/" + std::to_string(i)});
    }
  }
  load_plugins(plugins, config_paths, registry);
  for (const ModelConfig* config : configs) check_init_specs(*config, registry);
}

}  // namespace

ModelConfig load_model_config(
    const std::string& path, const PluginOptions& plugins, Registry& registry) {
  ModelConfig config = load_config(path);
  load_config_plugins({&config}, plugins, registry);
  return config;
}

std::vector<Variant> load_experiment_configs(
    const std::string& path, const PluginOptions& plugins, Registry& registry) {
  std::vector<Variant> variants = load_experiment(path);
  std::vector<const ModelConfig*> configs;
  for (const Variant& v : variants) configs.push_back(&v.config);
  load_config_plugins(configs, plugins, registry);
  return variants;
}

ConfigWithVariants load_config_with_variants(
    const std::string& path, const PluginOptions& plugins, Registry& registry) {
  ConfigWithVariants out{load_config(path), load_experiment(path)};
  // Without "variants" the single variant is the base under its own label.
  if (out.variants.size() == 1 &&
      out.variants[0].config.file == out.base.file) {
    out.variants.clear();
  }
  std::vector<const ModelConfig*> configs = {&out.base};
  for (const Variant& v : out.variants) configs.push_back(&v.config);
  load_config_plugins(configs, plugins, registry);
  return out;
}

std::int64_t parse_batch_option(const std::string& text) {
  std::int64_t batch = 0;
  const auto [ptr, ec] =
      std::from_chars(text.data(), text.data() + text.size(), batch);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
      batch < 1) {
    throw UsageError("--batch: expected an integer >= 1; got \"" + text + "\"");
  }
  return batch;
}

}  // namespace initforge::cli
