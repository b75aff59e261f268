// SPDX-License-Identifier: Apache-2.0
#pragma once

// The sub-commands of `initforge`. Each setup function adds its options to
// the given CLI11 sub-command and returns the function that runs it after
// parsing succeeded.

#include <functional>

#include <CLI/CLI.hpp>

namespace initforge::cli {

using CommandRunner = std::function<int()>;

CommandRunner setup_plugins_command(CLI::App& command);
CommandRunner setup_layers_command(CLI::App& command);
CommandRunner setup_sample_command(CLI::App& command);
CommandRunner setup_validate_command(CLI::App& command);
CommandRunner setup_run_command(CLI::App& command);
CommandRunner setup_train_command(CLI::App& command);
CommandRunner setup_new_plugin_command(CLI::App& command);
CommandRunner setup_check_plugin_command(CLI::App& command);
CommandRunner setup_verify_command(CLI::App& command);
CommandRunner setup_trust_command(CLI::App& command);

}  // namespace initforge::cli
