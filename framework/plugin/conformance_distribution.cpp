// SPDX-License-Identifier: Apache-2.0
// The distribution check: the philox values of each large shape against the
// target the scheme declares (KS test at kConformanceAlpha, plus bounds), or
// exactly equal to a constant one.
#include <algorithm>
#include <cmath>
#include <exception>

#include "framework/init/goodness_of_fit.h"
#include "framework/plugin/conformance_detail.h"

namespace initforge::conformance {
namespace {

// Every value equals `value` (as float).
std::string constant_mismatch(std::span<const float> x, double value) {
  const auto want = static_cast<float>(value);
  const auto it =
      std::find_if(x.begin(), x.end(), [&](float v) { return !(v == want); });
  if (it == x.end()) return "";
  const auto count =
      std::count_if(x.begin(), x.end(), [&](float v) { return !(v == want); });
  return std::to_string(count) + " of " + std::to_string(x.size()) +
         " values differ from " + num(want, 9) + "; first at index " +
         std::to_string(it - x.begin()) + ": " + num(*it, 9);
}

// Values outside [low, high], allowing float32 rounding of the bounds.
std::string outside(std::span<const float> x, double low, double high) {
  const double slack = std::max(std::fabs(low), std::fabs(high)) * 0x1p-21;
  const auto bad = [&](float v) { return v < low - slack || v > high + slack; };
  const auto it = std::find_if(x.begin(), x.end(), bad);
  if (it == x.end()) return "";
  return std::to_string(std::count_if(x.begin(), x.end(), bad)) +
         " values outside [" + num(low) + ", " + num(high) +
         "]; first at index " + std::to_string(it - x.begin()) + ": " +
         num(*it, 9);
}

// A degenerate target (std 0, empty interval) is a constant.
std::optional<double> constant_of(const Target& t) {
  switch (t.kind) {
    case Target::Kind::Constant:
      return t.mean;
    case Target::Kind::Uniform:
      if (t.low == t.high) return t.low;
      break;
    case Target::Kind::Normal:
      if (t.std == 0) return t.mean;
      break;
    case Target::Kind::TruncatedNormal:
      if (t.low == t.high) return t.low;
      if (t.std == 0) return std::clamp(t.mean, t.low, t.high);
      break;
    case Target::Kind::Unknown:
      break;
  }
  return std::nullopt;
}

void distribution_row(const Run& run, const Subject& s) {
  const std::string& label = s.shape->label;
  Target target;
  try {
    target = run.init->target(s.param);
  } catch (...) {
    run.add(
        "distribution",
        label,
        CheckResult::Failed,
        "target() threw: " + current_error());
    return;
  }
  const std::span<const float> x = s.philox->span();
  if (target.kind == Target::Kind::Unknown) {
    run.add(
        "distribution",
        label,
        CheckResult::Skipped,
        "the scheme declares no target distribution");
    return;
  }
  if (const auto c = constant_of(target)) {
    const std::string bad = constant_mismatch(x, *c);
    run.add(
        "distribution",
        label,
        bad.empty() ? CheckResult::Passed : CheckResult::Failed,
        describe(target) + ": " +
            (bad.empty()
                 ? "all " + std::to_string(x.size()) + " values equal it"
                 : bad));
    return;
  }
  std::string bounds;
  if (target.kind != Target::Kind::Normal) {
    bounds = outside(x, target.low, target.high);
  }
  const KsResult ks = ks_test(x, target_cdf(target));
  const bool ok = bounds.empty() && ks.p_value >= run.report.alpha;
  std::string detail = describe(target) + ": KS D=" + num(ks.statistic, 3) +
                       ", p=" + num(ks.p_value, 3) +
                       (ks.p_value >= run.report.alpha ? " >= " : " < ") +
                       num(run.report.alpha) +
                       ", n=" + std::to_string(x.size());
  if (!bounds.empty()) detail += "; " + bounds;
  run.add(
      "distribution",
      label,
      ok ? CheckResult::Passed : CheckResult::Failed,
      detail);
}

}  // namespace

void check_distribution(Run& run) {
  bool any = false;
  for (const Subject& s : run.subjects) {
    if (!usable(s, true)) continue;
    any = true;
    distribution_row(run, s);
  }
  if (!any) {
    run.add(
        "distribution",
        "-",
        CheckResult::Skipped,
        "no large test shape could be filled");
  }
}

}  // namespace initforge::conformance
