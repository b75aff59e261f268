// SPDX-License-Identifier: Apache-2.0
// `initforge validate CONFIG [--batch N] [--plugin-dir DIR]...`: everything
// `run` checks before allocating (config, plugins, schemes, shapes, init
// plan, memory), and one line of summary.
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
  PluginOptions plugins;
};

int run_validate(const ValidateOptions& o) {
  const std::int64_t batch = parse_batch_option(o.batch);
  Registry registry;
  ModelConfig config = load_model_config(o.config, o.plugins, registry);
  const auto model = Model::build(std::move(config), registry, batch);
  const InitPlan& plan = model->plan();
  std::printf(
      "ok: %s: %zu layers, %zu parameters (%lld elements), output shape %s\n",
      model->config().name.c_str(),
      model->graph().nodes().size(),
      plan.params.size(),
      static_cast<long long>(plan.parameter_elements()),
      model->graph().output_shape().to_string().c_str());
  return 0;
}

}  // namespace

CommandRunner setup_validate_command(CLI::App& command) {
  auto o = std::make_shared<ValidateOptions>();
  command.add_option("config", o->config, "model config (JSON)")->required();
  command.add_option(
      "--batch", o->batch, "batch size the memory check assumes (default 8)");
  add_plugin_options(command, o->plugins);
  return [o] { return run_validate(*o); };
}

}  // namespace initforge::cli
