// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/model_common.h"

#include <charconv>
#include <memory>
#include <system_error>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/io/sha256.h"
#include "framework/model/config_loader.h"
#include "framework/model/init_check.h"
#include "framework/plugin/plugin_trust.h"

namespace initforge::cli {
namespace {

// A config's libraries run code its author chose: each must be trusted
// (`initforge trust`) with its current SHA-256, checked on every file before
// anything is loaded and again on the descriptor each is loaded from.
void require_consent(
    std::vector<PluginLocation>& config_paths, bool allow_unsafe) {
  const auto consent = std::make_shared<const PluginConsent>(
      read_trusted_directories(trust_store_path()));
  for (PluginLocation& location : config_paths) {
    // An unsafe directory is refused as such, not offered for trust.
    std::error_code ec;
    if (!allow_unsafe && std::filesystem::is_directory(location.path, ec)) {
      check_plugin_path_safe(location.path, location.named_by);
    }
    for (const auto& library : plugin_location_libraries(location)) {
      consent->require(
          library,
          sha256_hex_of_file(library),
          location.path,
          location.named_by);
    }
    location.verify =
        [consent, location_path = location.path, named_by = location.named_by](
            const std::filesystem::path& library, int fd) {
          consent->require(
              library,
              sha256_hex_of_descriptor(fd, library.string()),
              location_path,
              named_by);
        };
  }
}

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
  if (!plugins.trust_config && !config_paths.empty()) {
    require_consent(config_paths, plugins.allow_unsafe);
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

void add_load_options(
    CLI::App& command,
    LoadOptions& o,
    const std::string& flag,
    const std::string& help) {
  command.add_option(flag, o.file, help);
  command.add_flag(
      "--strict-load",
      o.strict,
      "with " + flag +
          ": every parameter and buffer must be in FILE, and FILE must hold "
          "nothing else (as PyTorch's load_state_dict(strict=True))");
}

std::optional<WholeModelLoad> whole_model_load(
    const LoadOptions& o, const std::string& flag) {
  if (o.file.empty()) {
    if (o.strict) throw UsageError("--strict-load needs " + flag + " FILE");
    return std::nullopt;
  }
  return WholeModelLoad{
      .file = std::filesystem::absolute(o.file).lexically_normal(),
      .flag = flag,
      .strict = o.strict};
}

std::int64_t parse_batch_option(const std::string& text) {
  std::int64_t batch = 0;
  const auto [ptr, ec] =
      std::from_chars(text.data(), text.data() + text.size(), batch);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
      batch < 1) {
    throw UsageError(
        "--batch: " + expected_got("an integer >= 1", "\"" + text + "\""));
  }
  return batch;
}

}  // namespace initforge::cli
