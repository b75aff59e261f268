// SPDX-License-Identifier: Apache-2.0
// `initforge`: the sub-command table and the one place where exceptions
// become exit codes: 0 ok, 1 internal error, 2 bad usage / config / input,
// 3 plugin error. Errors go to stderr as one line starting with "error: ".
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "framework/core/error.h"
#include "framework/init/text.h"

#include "tools/cli/commands.h"

namespace {

using initforge::cli::CommandRunner;

struct Subcommand {
  const char* name;
  const char* help;
  CommandRunner (*setup)(CLI::App&);
};

constexpr Subcommand kSubcommands[] = {
    {"plugins",
     "list the loaded plugin libraries and their schemes",
     &initforge::cli::setup_plugins_command},
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
};

constexpr int kOk = 0, kInternal = 1, kBadInput = 2, kPlugin = 3;

// One line, whatever the message contains.
int report(const std::string& message, int code) {
  std::string line = "error: " + message;
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
          kBadInput);
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report(e.what(), kBadInput);
  }
  for (const auto& [command, runner] : commands) {
    if (command->parsed()) return runner();
  }
  return report("no sub-command given", kBadInput);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace initforge;
  try {
    return run(argc, argv);
  } catch (const PluginError& e) {
    return report(e.what(), kPlugin);
  } catch (const UsageError& e) {
    return report(e.what(), kBadInput);
  } catch (const InvalidArgument& e) {  // includes ArgumentError
    return report(e.what(), kBadInput);
  } catch (const ShapeError& e) {
    return report(e.what(), kBadInput);
  } catch (const ConfigError& e) {
    return report(e.what(), kBadInput);
  } catch (const IoError& e) {
    return report(e.what(), kBadInput);
  } catch (const Error& e) {
    return report(e.what(), kInternal);
  } catch (const std::exception& e) {
    return report(std::string("internal: ") + e.what(), kInternal);
  } catch (...) {
    return report("internal: unknown exception", kInternal);
  }
}
