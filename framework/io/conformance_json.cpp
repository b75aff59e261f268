// SPDX-License-Identifier: Apache-2.0
#include "framework/io/conformance_json.h"

#include <nlohmann/json.hpp>

#include "framework/init/text.h"
#include "framework/io/json_detail.h"

namespace initforge {

std::string conformance_json(const ConformanceReport& report) {
  using nlohmann::json;
  json args = json::object();
  for (const auto& [name, value] : report.args) {
    args[name] = detail::to_json(value);
  }
  json checks = json::array();
  for (const ConformanceRow& row : report.rows) {
    checks.push_back(
        {{"check", row.check},
         {"case", row.subject},
         {"result", to_lower(to_string(row.result))},
         {"detail", row.detail}});
  }
  const json out = {
      {"scheme", report.scheme},
      {"library", report.library_path},
      {"args", args},
      {"seed", report.seed},
      {"alpha", report.alpha},
      {"notes", report.notes},
      {"checks", checks},
      {"passed", report.count(CheckResult::Passed)},
      {"skipped", report.count(CheckResult::Skipped)},
      {"failed", report.count(CheckResult::Failed)},
      {"ok", report.passed()}};
  return detail::dump_text(out, 2) + "\n";
}

}  // namespace initforge
