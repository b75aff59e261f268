// SPDX-License-Identifier: Apache-2.0
#include "framework/io/report_json.h"

#include <nlohmann/json.hpp>

#include "framework/io/json_detail.h"

namespace initforge {
namespace detail {

using nlohmann::json;

json to_json(const ArgValue& value) {
  return std::visit([](const auto& v) { return json(v); }, value);
}

json to_json(const Target& target) {
  // NaN (unknown moments) prints as null.
  json out = {
      {"kind", target_kind_name(target.kind)},
      {"mean", target.expected_mean()},
      {"std", target.expected_std()}};
  if (target.kind == Target::Kind::Uniform ||
      target.kind == Target::Kind::TruncatedNormal) {
    out["low"] = target.low;
    out["high"] = target.high;
  }
  if (target.kind == Target::Kind::TruncatedNormal) {
    out["normal_mean"] = target.mean;
    out["normal_std"] = target.std;
  }
  return out;
}

}  // namespace detail

namespace {

using detail::to_json;
using nlohmann::json;

json to_json(const ArgSpec& spec) {
  json out = {
      {"name", spec.name},
      {"type", std::string(to_string(spec.type))},
      {"required", !spec.default_value.has_value()},
      {"doc", spec.doc}};
  if (spec.default_value) out["default"] = to_json(*spec.default_value);
  if (spec.min) {
    out["min"] = *spec.min;
    out["min_exclusive"] = spec.min_exclusive;
  }
  if (spec.max) out["max"] = *spec.max;
  if (!spec.choices.empty()) {
    out["choices"] = spec.choices;
    out["case_insensitive"] = spec.case_insensitive;
  }
  return out;
}

}  // namespace

std::string target_kind_name(Target::Kind kind) {
  return std::string(to_string(kind));
}

std::string plugins_json(const PluginListing& listing) {
  json libraries = json::array();
  for (const LibraryListing& library : listing.libraries) {
    libraries.push_back(
        {{"path", library.path},
         {"name", library.name},
         {"version", library.version},
         {"schemes", library.schemes},
         {"named_by", library.named_by}});
  }
  json schemes = json::object();
  for (const SchemeListing& scheme : listing.schemes) {
    json args = json::array();
    for (const ArgSpec& spec : scheme.args) args.push_back(to_json(spec));
    schemes[scheme.name] = {
        {"doc", scheme.doc},
        {"elementwise", scheme.elementwise},
        {"data_dependent", scheme.data_dependent},
        {"library", scheme.library_name},
        {"library_path", scheme.library_path},
        {"library_version", scheme.library_version},
        {"named_by", scheme.named_by},
        {"args", args}};
  }
  json locations = json::array();
  for (const LocationListing& location : listing.locations) {
    locations.push_back(
        {{"path", location.path}, {"named_by", location.named_by}});
  }
  const json out = {
      {"plugin_dirs", listing.plugin_dirs},
      {"plugin_locations", locations},
      {"libraries", libraries},
      {"schemes", schemes},
      {"load_seconds", listing.load_seconds}};
  return detail::dump_text(out, 2) + "\n";
}

std::string sample_json(const SampleReport& report) {
  json args = json::object();
  for (const auto& [name, value] : report.args) args[name] = to_json(value);
  json out = {
      {"scheme", report.scheme},
      {"library_path", report.library_path},
      {"args", args},
      {"shape", report.shape},
      {"numel", report.stats.count},
      {"rng", report.rng},
      {"seed", report.seed},
      {"path", report.path},
      {"threads", report.threads},
      {"thread_placement", report.thread_placement},
      {"target", to_json(report.target)},
      {"mean", report.stats.mean},
      {"std", report.stats.std},
      {"min", report.stats.min},
      {"max", report.stats.max},
      {"fill_seconds", report.fill_seconds},
      {"gelements_per_second", report.gelements_per_second}};
  if (report.fans) {
    out["fan_in"] = report.fans->fan_in;
    out["fan_out"] = report.fans->fan_out;
  } else {
    out["fan_in"] = nullptr;
    out["fan_out"] = nullptr;
  }
  out["out"] = report.out.empty() ? json(nullptr) : json(report.out);
  return detail::dump_text(out, 2) + "\n";
}

}  // namespace initforge
