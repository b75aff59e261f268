// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/run_report_text.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "framework/model/memory_budget.h"

#include "tools/cli/cli_common.h"

namespace initforge::cli {
namespace {

using Row = std::vector<std::string>;

// Left-aligned columns, two spaces apart, sized to their widest cell.
void print_table(const std::vector<Row>& rows) {
  std::vector<std::size_t> widths;
  for (const Row& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  for (const Row& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - row[c].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

std::string shape_text(const std::vector<std::int64_t>& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(dims[i]);
  }
  return text + "]";
}

std::string value_text(const ArgValue& value) {
  if (const auto* d = std::get_if<double>(&value)) return number_text(*d);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return to_string(value);
}

std::string scheme_text(const ParamInitRecord& r) {
  std::string args;
  for (const auto& [name, value] : r.args) {
    args += (args.empty() ? "" : ", ") + name + "=" + value_text(value);
  }
  return r.scheme + "(" + args + ")";
}

}  // namespace

void print_run_report(const RunReport& r) {
  std::printf("model    %s  (%s)\n", r.model.c_str(), r.config.c_str());
  std::printf(
      "rng      %s  seed %llu  batch %lld  threads %d (%s)\n",
      r.rng.c_str(),
      static_cast<unsigned long long>(r.seed),
      static_cast<long long>(r.batch),
      r.threads,
      r.thread_placement.c_str());
  std::printf(
      "input    %s %s\n", r.input.c_str(), shape_text(r.input_shape).c_str());
  std::printf(
      "params   %zu tensors, %lld elements; memory estimate %s\n\n",
      r.params.size(),
      static_cast<long long>(r.parameter_elements),
      format_bytes(static_cast<double>(r.memory_bytes)).c_str());

  std::vector<Row> params = {
      {"parameter",
       "shape",
       "scheme",
       "source",
       "fan_in",
       "fan_out",
       "expected std",
       "std",
       "mean"}};
  for (const RunParamReport& p : r.params) {
    const double expected = p.target.expected_std();
    params.push_back(
        {p.init.path,
         shape_text(p.init.shape),
         scheme_text(p.init),
         p.init.source,
         p.fans ? std::to_string(p.fans->fan_in) : "-",
         p.fans ? std::to_string(p.fans->fan_out) : "-",
         expected == expected ? number_text(expected) : "-",  // NaN: unknown
         number_text(p.stats.std),
         number_text(p.stats.mean)});
  }
  print_table(params);
  std::printf("\n");

  std::vector<Row> layers = {
      {"layer", "type", "inputs", "output", "mean", "std"}};
  for (const RunLayerReport& l : r.layers) {
    std::string inputs;
    for (const std::string& in : l.inputs)
      inputs += (inputs.empty() ? "" : ",") + in;
    layers.push_back(
        {l.name,
         l.type,
         inputs,
         shape_text(l.output_shape),
         number_text(l.stats.mean),
         number_text(l.stats.std)});
  }
  print_table(layers);
  if (!r.calibration.empty()) std::printf("\ncalibration\n");
  for (const std::string& line : r.calibration) {
    std::printf("  %s\n", line.c_str());
  }
  std::printf(
      "\ntime     init %.3f ms  prepare %.3f ms  forward %.3f ms (first %.3f "
      "ms)\n",
      r.init_ms,
      r.prepare_ms,
      r.forward_ms,
      r.first_forward_ms);
  if (!r.output_file.empty())
    std::printf("output   %s\n", r.output_file.c_str());
  if (!r.weights_file.empty()) {
    std::printf("weights  %s\n", r.weights_file.c_str());
  }
}

}  // namespace initforge::cli
