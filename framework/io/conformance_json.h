// SPDX-License-Identifier: Apache-2.0
#pragma once

// `initforge check-plugin --json`: the conformance report as JSON.

#include <string>

#include "framework/core/export.h"
#include "framework/plugin/conformance.h"

namespace initforge {

/// {"scheme", "library", "args", "seed", "alpha", "notes", "checks": [{"check",
/// "case", "result": "pass"|"skip"|"fail", "detail"}], "passed", "skipped",
/// "failed", "ok"}, pretty-printed, with a trailing newline.
INITFORGE_API std::string conformance_json(const ConformanceReport& report);

}  // namespace initforge
