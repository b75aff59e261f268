// SPDX-License-Identifier: Apache-2.0
// `initforge check-plugin SCHEME [--plugin-dir DIR]... [--arg KEY=VALUE]...
// [--seed N] [--json]`: the conformance checks of one scheme as a table;
// exit 0 only when none fails (skips are fine), 3 otherwise.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/io/conformance_json.h"
#include "framework/plugin/conformance.h"

#include "tools/cli/cli_common.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace initforge::cli {
namespace {

struct CheckPluginOptions {
  PluginOptions plugins;
  std::string scheme;
  std::vector<std::string> args;
  std::string seed_text = "0";
  bool json = false;
};

std::string args_text(const std::map<std::string, ArgValue>& args) {
  std::string text;
  for (const auto& [name, value] : args) {
    text += (text.empty() ? "" : ", ") + name + "=" + to_string(value);
  }
  return text.empty() ? "(none)" : text;
}

void print_table(const ConformanceReport& r) {
  std::printf(
      "scheme    %s  (%s)\n",
      r.scheme.c_str(),
      r.library_path.empty() ? "in-process" : r.library_path.c_str());
  std::printf("args      %s\n", args_text(r.args).c_str());
  std::printf(
      "seed      %llu; KS tests at significance level %s each\n",
      static_cast<unsigned long long>(r.seed),
      number_text(r.alpha).c_str());
  for (const std::string& note : r.notes) {
    std::printf("note      %s\n", note.c_str());
  }
  std::size_t check_w = 5, case_w = 4;  // the headers' widths
  for (const ConformanceRow& row : r.rows) {
    check_w = std::max(check_w, row.check.size());
    case_w = std::max(case_w, row.subject.size());
  }
  const auto line = [&](const std::string& check,
                        const std::string& subject,
                        std::string_view result,
                        const std::string& detail) {
    std::printf(
        "%-*s  %-*s  %-6.*s  %s\n",
        static_cast<int>(check_w),
        check.c_str(),
        static_cast<int>(case_w),
        subject.c_str(),
        static_cast<int>(result.size()),
        result.data(),
        detail.c_str());
  };
  std::printf("\n");
  line("check", "case", "result", "detail");
  for (const ConformanceRow& row : r.rows) {
    line(row.check, row.subject, to_string(row.result), row.detail);
  }
  std::printf(
      "\n%s: %zu passed, %zu skipped, %zu failed of %zu checks\n",
      r.passed() ? "PASS" : "FAIL",
      r.count(CheckResult::Passed),
      r.count(CheckResult::Skipped),
      r.count(CheckResult::Failed),
      r.rows.size());
}

int run_check_plugin(const CheckPluginOptions& o) {
  ConformanceOptions options;
  for (const std::string& text : o.args) {
    options.args.push_back(parse_key_value(text));
  }
  options.seed = parse_seed_option(o.seed_text);

  Registry registry;
  load_plugins(o.plugins, registry);
  ConformanceReport report;
  try {
    report = check_conformance(registry, o.scheme, options);
  } catch (const ArgumentError& e) {
    throw ArgumentError(e.key(), "--arg " + e.key() + ": " + e.what());
  }
  if (o.json) {
    std::fputs(conformance_json(report).c_str(), stdout);
  } else {
    print_table(report);
  }
  std::fflush(stdout);
  if (report.passed()) return 0;
  std::fprintf(
      stderr,
      "error: scheme %s failed %zu of %zu checks\n",
      o.scheme.c_str(),
      report.count(CheckResult::Failed),
      report.rows.size());
  return kExitPlugin;
}

}  // namespace

CommandRunner setup_check_plugin_command(CLI::App& command) {
  auto o = std::make_shared<CheckPluginOptions>();
  command.add_option("scheme", o->scheme, "scheme name, e.g. kaiming_uniform")
      ->required();
  command.add_option(
      "--arg",
      o->args,
      "base argument KEY=VALUE (JSON value; repeatable); required arguments "
      "not given are chosen from their schema");
  // Parsed by us: CLI11 wraps "-1" and clamps 2^64 silently.
  command.add_option("--seed", o->seed_text, "random seed (default 0)");
  command.add_flag("--json", o->json, "print the report as one JSON object");
  add_plugin_options(command, o->plugins);
  return [o] { return run_check_plugin(*o); };
}

}  // namespace initforge::cli
