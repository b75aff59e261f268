// SPDX-License-Identifier: Apache-2.0
// `initforge layers [--markdown]`: every layer type from the layer table,
// with its hyper-parameters and the default initialization of each of its
// parameters. --markdown prints configs/README.md's layer reference.
#include <cstdio>
#include <memory>
#include <string>

#include "framework/layers/layer_type.h"

#include "tools/cli/cli_common.h"
#include "tools/cli/commands.h"

namespace initforge::cli {
namespace {

std::string default_text(const ArgSpec& spec) {
  return spec.default_value ? to_string(*spec.default_value) : "required";
}

// "kaiming_uniform (a=2.23607)"; "fan_in_uniform, only with bias true".
std::string init_text(const LayerParam& p) {
  std::string text = p.default_scheme;
  std::string args;
  for (const auto& [name, value] : p.default_args) {
    const auto* d = std::get_if<double>(&value);
    args += (args.empty() ? "" : ", ") + name + "=" +
            (d ? number_text(*d) : to_string(value));
  }
  if (!args.empty()) text += " (" + args + ")";
  if (!p.present_if.empty()) text += ", only with " + p.present_if + " true";
  return text;
}

std::string inputs_text(const LayerType& type) {
  return type.inputs == LayerInputs::One ? "one input"
                                         : "two or more inputs (\"inputs\")";
}

void print_text() {
  for (const LayerType* type : layer_types()) {
    std::printf(
        "%s: %s; %s\n",
        type->name.c_str(),
        type->doc.c_str(),
        inputs_text(*type).c_str());
    for (const ArgSpec& spec : type->args) {
      const std::string constraint = constraint_text(spec);
      std::printf(
          "    %-18s %-8s %-10s %s%s\n",
          spec.name.c_str(),
          std::string(to_string(spec.type)).c_str(),
          default_text(spec).c_str(),
          spec.doc.c_str(),
          constraint.empty() ? "" : ("  [" + constraint + "]").c_str());
    }
    for (const LayerParam& p : type->params) {
      std::printf(
          "    param %-12s default init %s\n",
          p.name.c_str(),
          init_text(p).c_str());
    }
  }
}

void print_markdown() {
  for (const LayerType* type : layer_types()) {
    std::printf(
        "\n#### %s\n\n%s; %s.\n",
        type->name.c_str(),
        type->doc.c_str(),
        inputs_text(*type).c_str());
    if (!type->args.empty()) {
      std::printf(
          "\n| key | type | default | allowed | meaning |\n"
          "|---|---|---|---|---|\n");
    }
    for (const ArgSpec& spec : type->args) {
      std::printf(
          "| `%s` | %s | %s | %s | %s |\n",
          spec.name.c_str(),
          std::string(to_string(spec.type)).c_str(),
          default_text(spec).c_str(),
          constraint_text(spec).c_str(),
          spec.doc.c_str());
    }
    if (!type->params.empty()) std::printf("\nParameters (default init):\n");
    for (const LayerParam& p : type->params) {
      std::printf(
          "- `%s` %s: %s\n",
          p.name.c_str(),
          p.shape.c_str(),
          init_text(p).c_str());
    }
  }
}

}  // namespace

CommandRunner setup_layers_command(CLI::App& command) {
  auto markdown = std::make_shared<bool>(false);
  command.add_flag(
      "--markdown", *markdown, "print configs/README.md's layer reference");
  return [markdown] {
    if (*markdown) {
      print_markdown();
    } else {
      print_text();
    }
    return 0;
  };
}

}  // namespace initforge::cli
