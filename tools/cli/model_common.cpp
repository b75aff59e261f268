// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/model_common.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>
#include <vector>

#include "framework/core/error.h"
#include "framework/model/config_loader.h"
#include "framework/model/init_check.h"
#include "framework/plugin/loader.h"

namespace initforge::cli {
namespace {

namespace fs = std::filesystem;

// Loads a library, or every lib*.so of a directory in name order, skipping
// libraries already loaded (a config may name the built-in directory).
void load_path(
    const fs::path& path, Registry& registry, std::set<fs::path>& loaded) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw PluginError(path.string(), "no such plugin library or directory");
  }
  std::vector<fs::path> libraries;
  if (fs::is_directory(path, ec)) {
    fs::directory_iterator it(path, ec);
    if (ec) {
      throw PluginError(
          path.string(), "cannot list directory: " + ec.message());
    }
    for (const fs::directory_entry& entry : it) {
      const std::string file = entry.path().filename().string();
      if (file.starts_with("lib") && entry.path().extension() == ".so" &&
          !entry.is_directory(ec)) {
        libraries.push_back(entry.path());
      }
    }
    std::sort(libraries.begin(), libraries.end());
  } else {
    libraries.push_back(path);
  }
  for (const fs::path& library : libraries) {
    const fs::path key = fs::weakly_canonical(library, ec);
    if (!loaded.insert(ec ? library : key).second) continue;
    load_plugin(library, registry);
  }
}

// Built-in directory, each config's plugins.paths, then each --plugin-dir.
void load_config_plugins(
    const std::vector<const ModelConfig*>& configs,
    const PluginOptions& plugins,
    Registry& registry) {
  std::vector<fs::path> sources;
  if (!plugins.no_builtin) sources.push_back(builtin_plugin_dir());
  for (const ModelConfig* config : configs) {
    sources.insert(
        sources.end(),
        config->plugin_paths.begin(),
        config->plugin_paths.end());
  }
  sources.insert(sources.end(), plugins.dirs.begin(), plugins.dirs.end());
  std::set<fs::path> loaded;
  for (const fs::path& source : sources) load_path(source, registry, loaded);
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
