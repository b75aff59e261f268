// SPDX-License-Identifier: Apache-2.0
// The value checks: finite, thread-count independent, shard == full fill
// (elementwise schemes).
#include <algorithm>
#include <cmath>
#include <exception>

#include "framework/core/thread_count.h"
#include "framework/plugin/conformance_detail.h"

namespace initforge::conformance {
namespace {

constexpr RngKind kKinds[] = {RngKind::Philox, RngKind::Torch};

std::string kind_name(RngKind kind) {
  return std::string(to_string(kind));
}

std::string ranges_text(const std::vector<std::int64_t>& cuts) {
  std::string text;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    text += (text.empty() ? "[" : " [") + std::to_string(cuts[i]) + ", " +
            std::to_string(cuts[i + 1]) + ")";
  }
  return text;
}

// Two partitions of [0, n): a long range at an odd offset (the parallel
// path) and a few uneven pieces.
std::vector<std::vector<std::int64_t>> partitions(std::int64_t n) {
  std::vector<std::vector<std::int64_t>> out = {
      {0, 3, n}, {0, n / 3 + 1, n / 2 + 7, n - 1, n}};
  for (auto& cuts : out) {
    for (auto& c : cuts) c = std::clamp<std::int64_t>(c, 0, n);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  }
  return out;
}

}  // namespace

void check_finite_values(Run& run) {
  bool any = false;
  for (Subject& s : run.subjects) {
    const std::string& label = s.shape->label;
    if (s.broken) {
      run.add(
          "finite",
          label,
          CheckResult::Failed,
          "check() must throw InvalidArgument for a shape it cannot "
          "fill; it threw: " +
              s.refused);
      continue;
    }
    if (!s.applies()) {
      run.add(
          "finite",
          label,
          CheckResult::Skipped,
          "not applicable (" + s.refused + ")");
      continue;
    }
    any = true;
    std::string problems;
    for (const RngKind kind : kKinds) {
      std::string problem;
      try {
        Tensor t = fill(*run.init, s.param, kind, run.seed);
        problem = non_finite(t.span());
        if (!problem.empty()) {
          problem += " (unwritten elements count: the buffer starts as NaN)";
        } else if (kind == RngKind::Philox) {
          s.philox = std::move(t);
        }
      } catch (...) {
        problem = "fill threw: " + current_error();
      }
      if (problem.empty()) continue;
      if (kind == RngKind::Torch) s.torch_fills = false;
      problems +=
          (problems.empty() ? "" : "; ") + kind_name(kind) + ": " + problem;
    }
    run.add(
        "finite",
        label,
        problems.empty() ? CheckResult::Passed : CheckResult::Failed,
        problems.empty() ? std::to_string(s.param.shape.numel()) +
                               " values finite with philox and torch"
                         : problems);
  }
  if (!any) {
    run.add(
        "finite",
        "every shape",
        CheckResult::Failed,
        "check() refuses every test shape: nothing could be filled");
  }
}

void check_threads(Run& run) {
  bool any = false;
  for (const RngKind kind : kKinds) {
    for (const Subject& s : run.subjects) {
      if (!usable(s, true)) continue;
      any = true;
      const std::string subject = kind_name(kind) + " " + s.shape->label;
      if (kind == RngKind::Torch && !s.torch_fills) {
        run.add(
            "threads",
            subject,
            CheckResult::Skipped,
            "the torch fill fails (see finite)");
        continue;
      }
      try {
        Tensor one, two;
        {
          const ThreadCount threads(1);
          one = fill(*run.init, s.param, kind, run.seed);
        }
        {
          const ThreadCount threads(2);
          two = fill(*run.init, s.param, kind, run.seed);
        }
        const std::string diff =
            difference(one.span(), two.span(), 0, "1 thread", "2 threads");
        run.add(
            "threads",
            subject,
            diff.empty() ? CheckResult::Passed : CheckResult::Failed,
            diff.empty() ? "identical with 1 and 2 OpenMP threads" : diff);
      } catch (...) {
        run.add(
            "threads",
            subject,
            CheckResult::Failed,
            "fill threw: " + current_error());
      }
    }
  }
  if (!any) {
    run.add(
        "threads",
        "-",
        CheckResult::Skipped,
        "no large test shape could be filled");
  }
}

void check_shards(Run& run) {
  if (!run.scheme.info.elementwise) {
    run.add(
        "shards",
        "-",
        CheckResult::Skipped,
        "not elementwise: the scheme fills whole parameters only");
    return;
  }
  bool any = false;
  for (const Subject& s : run.subjects) {
    if (!usable(s, false)) continue;
    any = true;
    const std::span<const float> full = s.philox->span();
    std::string problem, done;
    for (const auto& cuts : partitions(s.param.shape.numel())) {
      done += (done.empty() ? "" : " | ") + ranges_text(cuts);
      for (std::size_t i = 0; i + 1 < cuts.size() && problem.empty(); ++i) {
        const std::int64_t lo = cuts[i], len = cuts[i + 1] - cuts[i];
        const std::string range =
            "[" + std::to_string(lo) + ", " + std::to_string(lo + len) + ")";
        try {
          const Tensor part =
              fill(*run.init, s.param, RngKind::Philox, run.seed, lo, len);
          const std::string diff = difference(
              part.span(),
              full.subspan(
                  static_cast<std::size_t>(lo), static_cast<std::size_t>(len)),
              lo,
              "shard",
              "full fill");
          if (!diff.empty()) problem = "shard " + range + ": " + diff;
        } catch (...) {
          problem = "shard " + range + " threw: " + current_error();
        }
      }
    }
    run.add(
        "shards",
        s.shape->label,
        problem.empty() ? CheckResult::Passed : CheckResult::Failed,
        problem.empty() ? "philox shards equal the full fill: " + done
                        : problem);
  }
  if (!any) {
    run.add(
        "shards", "-", CheckResult::Skipped, "no test shape could be filled");
  }
}

}  // namespace initforge::conformance
