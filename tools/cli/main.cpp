// SPDX-License-Identifier: Apache-2.0
// `initforge`: the sub-command table and the one place where exceptions
// become exit codes (exit_codes.h). Errors go to stderr as one line
// starting with "error: ".
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "framework/core/error.h"
#include "framework/core/utf8.h"
#include "framework/init/text.h"
#include "framework/layers/dnnl_info.h"

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/install_layout.h"

namespace {

using initforge::cli::CommandRunner;
using initforge::cli::kExitBadInput;
using initforge::cli::kExitInternal;
using initforge::cli::kExitPlugin;

struct Subcommand {
  const char* name;
  const char* help;
  CommandRunner (*setup)(CLI::App&);
};

constexpr Subcommand kSubcommands[] = {
    {"plugins",
     "list the loaded plugin libraries and their schemes",
     &initforge::cli::setup_plugins_command},
    {"layers",
     "list the layer types a config can use, their keys and default init",
     &initforge::cli::setup_layers_command},
    {"sample",
     "initialize one tensor with a scheme and print its statistics",
     &initforge::cli::setup_sample_command},
    {"validate",
     "check a model config, its plugins, shapes and init plan",
     &initforge::cli::setup_validate_command},
    {"run",
     "build a model from a config, initialize it and run a forward pass",
     &initforge::cli::setup_run_command},
    {"train",
     "train a config's model (or each variant of an experiment) on "
     "Fashion-MNIST",
     &initforge::cli::setup_train_command},
    {"new-plugin",
     "write a buildable plugin project (CMakeLists.txt, one .cpp, README)",
     &initforge::cli::setup_new_plugin_command},
    {"check-plugin",
     "run the conformance checks on one scheme; exit 0 only if all pass",
     &initforge::cli::setup_check_plugin_command},
    {"verify",
     "check safetensors files (checkpoints, weights) against their "
     "per-tensor checksums",
     &initforge::cli::setup_verify_command},
    {"trust",
     "allow configs to load the plugin libraries in a directory "
     "(plugins.paths); --list, --revoke DIR",
     &initforge::cli::setup_trust_command},
};

// One line of valid UTF-8, whatever the message contains (CLI11's and
// other libraries' messages echo arguments unescaped).
int report(const std::string& message, int code) {
  std::string line = "error: " + initforge::escape_invalid_utf8(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "%s\n", line.c_str());
  return code;
}

int run(int argc, char** argv) {
  CLI::App app(
      "initforge: weight initialization schemes loaded from plugins",
      "initforge");
  app.require_subcommand(1);
  app.set_version_flag(
      "--version",
      "initforge " + initforge::cli::initforge_version() + " (oneDNN " +
          initforge::onednn_version() + ")");
  std::vector<std::pair<CLI::App*, CommandRunner>> commands;
  for (const Subcommand& sub : kSubcommands) {
    CLI::App* command = app.add_subcommand(sub.name, sub.help);
    commands.emplace_back(command, sub.setup(*command));
  }
  // CLI11 would only say "A subcommand is required"; name the typo instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const Subcommand& sub : kSubcommands) names.emplace_back(sub.name);
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      const std::string hint = initforge::closest_match(argv[1], names);
      std::string known;
      for (const std::string& n : names)
        known += (known.empty() ? "" : ", ") + n;
      return report(
          "unknown command \"" + std::string(argv[1]) + "\"" +
              (hint.empty() ? ";" : "; did you mean \"" + hint + "\"?") +
              " known: " + known,
          kExitBadInput);
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report(e.what(), kExitBadInput);
  }
  for (const auto& [command, runner] : commands) {
    if (command->parsed()) return runner();
  }
  return report("no sub-command given", kExitBadInput);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace initforge;
  try {
    return run(argc, argv);
  } catch (const PluginError& e) {
    return report(e.what(), kExitPlugin);
  } catch (const UsageError& e) {
    return report(e.what(), kExitBadInput);
  } catch (const InvalidArgument& e) {  // includes ArgumentError
    return report(e.what(), kExitBadInput);
  } catch (const ShapeError& e) {
    return report(e.what(), kExitBadInput);
  } catch (const ConfigError& e) {
    return report(e.what(), kExitBadInput);
  } catch (const IoError& e) {
    return report(e.what(), kExitBadInput);
  } catch (const MemoryError& e) {
    return report(e.what(), kExitBadInput);
  } catch (const std::filesystem::filesystem_error& e) {  // a path's state
    return report(e.what(), kExitBadInput);
  } catch (const std::bad_alloc&) {  // a size past what the checks foresaw
    return report(
        "out of memory: the machine cannot hold what this command needs; "
        "try a smaller batch or model",
        kExitBadInput);
  } catch (const Error& e) {
    return report(e.what(), kExitInternal);
  } catch (const std::exception& e) {
    return report(std::string("internal: ") + e.what(), kExitInternal);
  } catch (...) {
    return report("internal: unknown exception", kExitInternal);
  }
}
