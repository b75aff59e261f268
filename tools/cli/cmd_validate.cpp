// SPDX-License-Identifier: Apache-2.0
// `initforge validate CONFIG [--batch N] [--expanded] [--plugin-dir DIR]...`:
// everything `run` checks before allocating (config, plugins, schemes,
// shapes, init plan, memory), for the config and each of its variants, and
// one line of summary for each; with --expanded, the config with its blocks
// expanded.
#include <cstdio>
#include <memory>
#include <string>

#include "framework/model/builder.h"

#include "tools/cli/commands.h"
#include "tools/cli/model_common.h"

namespace initforge::cli {
namespace {

struct ValidateOptions {
  std::string config;
  std::string batch = "8";
  bool expanded = false;
  PluginOptions plugins;
};

// "ok: LABEL: L layers, P parameters (E elements), output shape S".
std::string summary_line(
    const std::string& label,
    const ModelConfig& config,
    const Registry& registry,
    std::int64_t batch) {
  const auto model = Model::build(config, registry, batch);
  const InitPlan& plan = model->plan();
  char line[512];
  std::snprintf(
      line,
      sizeof line,
      ": %zu layers, %zu parameters (%lld elements), output shape %s\n",
      model->graph().nodes().size(),
      plan.params.size(),
      static_cast<long long>(plan.parameter_elements()),
      model->graph().output_shape().to_string().c_str());
  return "ok: " + label + line;
}

int run_validate(const ValidateOptions& o) {
  const std::int64_t batch = parse_batch_option(o.batch);
  Registry registry;
  const ConfigWithVariants loaded =
      load_config_with_variants(o.config, o.plugins, registry);
  // Everything is built before anything is printed: a failing variant
  // leaves one error line and no "ok".
  std::string text =
      summary_line(loaded.base.name, loaded.base, registry, batch);
  for (const Variant& v : loaded.variants) {
    text += summary_line(
        v.config.name + " (variant " + v.name + ")", v.config, registry, batch);
  }
  // The expanded config alone on stdout, so it can be saved and run.
  std::fputs(
      o.expanded ? loaded.base.expanded_json.c_str() : text.c_str(), stdout);
  return 0;
}

}  // namespace

CommandRunner setup_validate_command(CLI::App& command) {
  auto o = std::make_shared<ValidateOptions>();
  command.add_option("config", o->config, "model or experiment config (JSON)")
      ->required();
  command.add_option(
      "--batch", o->batch, "batch size the memory check assumes (default 8)");
  command.add_flag(
      "--expanded",
      o->expanded,
      "after validating, print the config with its blocks and repeats "
      "expanded (full layer names, arguments substituted) instead of the "
      "summary");
  add_config_plugin_options(command, o->plugins);
  return [o] { return run_validate(*o); };
}

}  // namespace initforge::cli
