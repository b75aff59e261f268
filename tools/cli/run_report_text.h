// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "framework/io/run_report_json.h"

namespace initforge::cli {

/// The human-readable form of `initforge run`: a parameter table, a layer
/// table and the timings, on stdout.
void print_run_report(const RunReport& report);

}  // namespace initforge::cli
