// SPDX-License-Identifier: Apache-2.0
#pragma once

// Conformance checks for one registered scheme, built-in or third-party
// (`initforge check-plugin`): its argument schema is honoured, its values are
// finite, identical for 1 and 2 threads and, when elementwise, for a shard
// filled alone; and they follow the distribution it declares (KS test).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "framework/core/export.h"
#include "framework/init/args.h"
#include "framework/plugin/registry.h"

namespace initforge {

/// Significance level of each Kolmogorov-Smirnov test of the distribution
/// check: a conforming scheme fails one with this probability per seed.
inline constexpr double kConformanceAlpha = 1e-3;

/// Outcome of one check.
enum class CheckResult { Passed, Skipped, Failed };

/// "pass", "skip", "FAIL".
INITFORGE_API std::string_view to_string(CheckResult result);

/// One row of the report: which check, on what, its outcome and why.
struct ConformanceRow {
  std::string check;    // schema, finite, threads, shards, distribution, ...
  std::string subject;  // the case: a shape, a generator, an argument value
  CheckResult result = CheckResult::Passed;
  std::string detail;  // what was measured, or why it failed / was skipped
};

/// How to run the checks.
struct ConformanceOptions {
  // Base arguments. A required argument not given here gets a value chosen
  // from its schema (noted in the report).
  std::vector<std::pair<std::string, ArgValue>> args;
  std::uint64_t seed = 0;
};

/// Everything `check-plugin` prints.
struct INITFORGE_API ConformanceReport {
  std::string scheme;
  std::string library_path;              // "" for an in-process scheme
  std::map<std::string, ArgValue> args;  // the base arguments, bound
  std::uint64_t seed = 0;
  double alpha = kConformanceAlpha;
  std::vector<std::string> notes;  // chosen arguments, what is not exercised
  std::vector<ConformanceRow> rows;

  std::size_t count(CheckResult result) const;
  /// True when no check failed (skips are fine).
  bool passed() const {
    return count(CheckResult::Failed) == 0;
  }
};

/// Runs every check on `scheme`. Throws InvalidArgument (with a "did you
/// mean") for an unknown scheme and ArgumentError for a bad options.args
/// entry; everything the scheme itself does wrong is a Failed row. Sets and
/// restores the calling thread's OpenMP thread count.
INITFORGE_API ConformanceReport check_conformance(
    const Registry& registry,
    const std::string& scheme,
    const ConformanceOptions& options = {});

}  // namespace initforge
