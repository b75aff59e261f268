// SPDX-License-Identifier: Apache-2.0
#include "framework/io/run_report_json.h"

#include <nlohmann/json.hpp>

#include "framework/io/json_detail.h"

namespace initforge {
namespace {

using detail::to_json;
using nlohmann::json;

json to_json(const std::map<std::string, ArgValue>& args) {
  json out = json::object();
  for (const auto& [name, value] : args) out[name] = to_json(value);
  return out;
}

json to_json(const ParamInitRecord& r) {
  return {
      {"path", r.path},
      {"shape", r.shape},
      {"scheme", r.scheme},
      {"args", to_json(r.args)},
      {"source", r.source},
      {"pointer", r.pointer.empty() ? json(nullptr) : json(r.pointer)},
      {"library_path", r.library_path}};
}

json to_json(const ValueStats& s) {
  return {
      {"count", s.count},
      {"mean", s.mean},
      {"std", s.std},
      {"min", s.min},
      {"max", s.max}};
}

json optional_text(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

}  // namespace

std::string run_json(const RunReport& report) {
  json params = json::array();
  for (const RunParamReport& p : report.params) {
    json entry = to_json(p.init);
    entry["fan_in"] = p.fans ? json(p.fans->fan_in) : json(nullptr);
    entry["fan_out"] = p.fans ? json(p.fans->fan_out) : json(nullptr);
    entry["target"] = to_json(p.target);
    entry["stats"] = to_json(p.stats);
    params.push_back(std::move(entry));
  }
  json layers = json::array();
  for (const RunLayerReport& l : report.layers) {
    layers.push_back(
        {{"name", l.name},
         {"type", l.type},
         {"inputs", l.inputs},
         {"output_shape", l.output_shape},
         {"stats", to_json(l.stats)}});
  }
  const json out = {
      {"config", report.config},
      {"model", report.model},
      {"rng", report.rng},
      {"seed", report.seed},
      {"batch", report.batch},
      {"threads", report.threads},
      {"thread_placement", report.thread_placement},
      {"input", report.input},
      {"input_shape", report.input_shape},
      {"output_shape", report.output_shape},
      {"parameter_count", report.params.size()},
      {"parameter_elements", report.parameter_elements},
      {"memory_bytes", report.memory_bytes},
      {"params", params},
      {"layers", layers},
      {"init_ms", report.init_ms},
      {"prepare_ms", report.prepare_ms},
      {"first_forward_ms", report.first_forward_ms},
      {"forward_ms", report.forward_ms},
      {"output_file", optional_text(report.output_file)},
      {"weights_file", optional_text(report.weights_file)},
      {"calibration", report.calibration}};
  return detail::dump_text(out, 2) + "\n";
}

std::string init_manifest_json(const InitManifest& manifest) {
  json params = json::object();
  for (std::size_t i = 0; i < manifest.params.size(); ++i) {
    const ParamInitRecord& r = manifest.params[i];
    json entry = to_json(r);
    entry.erase("path");  // the key
    entry["order"] = i;   // initialization order (keys are sorted)
    params[r.path] = std::move(entry);
  }
  const json out = {
      {"format", "initforge.manifest/1"},
      {"model", manifest.model},
      {"config", manifest.config},
      {"rng", manifest.rng},
      {"seed", manifest.seed},
      {"params", params},
      {"buffers", manifest.buffers}};
  return detail::dump_text(out);
}

}  // namespace initforge
