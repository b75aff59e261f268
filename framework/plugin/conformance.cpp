// SPDX-License-Identifier: Apache-2.0
#include "framework/plugin/conformance.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>

#include "framework/core/error.h"
#include "framework/init/text.h"
#include "framework/plugin/conformance_detail.h"

namespace initforge {

std::string_view to_string(CheckResult result) {
  switch (result) {
    case CheckResult::Passed:
      return "pass";
    case CheckResult::Skipped:
      return "skip";
    case CheckResult::Failed:
      return "FAIL";
  }
  return "?";
}

std::size_t ConformanceReport::count(CheckResult result) const {
  return static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [&](const ConformanceRow& r) {
        return r.result == result;
      }));
}

namespace conformance {

void Run::add(
    std::string check,
    std::string subject,
    CheckResult result,
    std::string detail) const {
  report.rows.push_back(
      {std::move(check), std::move(subject), result, std::move(detail)});
}

const std::vector<TestShape>& test_shapes() {
  // The generators go parallel from 2^16 elements (kParallelMin in
  // framework/core/rng/*_generator.cpp); large shapes exceed it, with partial
  // last chunks, and have >= 10^4 elements for the KS tests' power.
  static_assert(100 * 1000 > (1 << 16) && 128 * 64 * 9 > (1 << 16));
  static const std::vector<TestShape> shapes = {
      {"[3, 5]", "linear_small.weight", Shape{3, 5}, std::nullopt, false},
      {"[100, 1000]", "linear.weight", Shape{100, 1000}, std::nullopt, true},
      {"[4, 3, 3, 3]",
       "conv_small.weight",
       Shape{4, 3, 3, 3},
       std::nullopt,
       false},
      {"[128, 64, 3, 3]",
       "conv.weight",
       Shape{128, 64, 3, 3},
       std::nullopt,
       true},
      {"[5] bias of [5, 3]", "linear_small.bias", Shape{5}, Fans{3, 5}, false},
      {"[70000] bias of [70000, 50]",
       "linear.bias",
       Shape{70000},
       Fans{50, 70000},
       true},
  };
  return shapes;
}

Tensor fill(
    const Initializer& init,
    const ParamInfo& param,
    RngKind kind,
    std::uint64_t seed,
    std::int64_t offset,
    std::int64_t count) {
  const bool whole = count < 0;
  Tensor out = Tensor::empty(whole ? param.shape : Shape{count});
  std::ranges::fill(out.span(), std::numeric_limits<float>::quiet_NaN());
  const auto source = RandomSource::create(kind, seed);
  const auto gen = source->generator_for(param.path, offset);
  init.fill(out.view(), FillContext{param, *gen, offset});
  return out;
}

std::string num(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}

std::string difference(
    std::span<const float> a,
    std::span<const float> b,
    std::int64_t offset,
    const std::string& what_a,
    const std::string& what_b) {
  std::size_t count = 0, first = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    // Bits, not ==: NaN payloads and the sign of zero count too.
    if (std::bit_cast<std::uint32_t>(a[i]) !=
        std::bit_cast<std::uint32_t>(b[i])) {
      if (count++ == 0) first = i;
    }
  }
  if (count == 0) return "";
  return std::to_string(count) + " of " + std::to_string(a.size()) +
         " values differ; first at index " +
         std::to_string(offset + static_cast<std::int64_t>(first)) + ": " +
         num(a[first], 9) + " (" + what_a + ") vs " + num(b[first], 9) + " (" +
         what_b + ")";
}

std::string non_finite(std::span<const float> values) {
  std::size_t count = 0, first = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]) && count++ == 0) first = i;
  }
  if (count == 0) return "";
  return std::to_string(count) + " non-finite value(s) of " +
         std::to_string(values.size()) + "; the first at index " +
         std::to_string(first) + ": " + num(values[first]);
}

bool given(const ArgList& args, const std::string& name) {
  return std::any_of(args.begin(), args.end(), [&](const auto& arg) {
    return arg.first == name;
  });
}

std::string describe(const Target& t) {
  switch (t.kind) {
    case Target::Kind::Constant:
      return "constant " + num(t.mean, 9);
    case Target::Kind::Uniform:
      return "U(" + num(t.low) + ", " + num(t.high) + ")";
    case Target::Kind::Normal:
      return "N(mean " + num(t.mean) + ", std " + num(t.std) + ")";
    case Target::Kind::TruncatedNormal:
      return "N(mean " + num(t.mean) + ", std " + num(t.std) + ") on [" +
             num(t.low) + ", " + num(t.high) + "]";
    case Target::Kind::Unknown:
      break;
  }
  return "no declared target";
}

std::string current_error() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "a non-standard exception";
  }
}

bool usable(const Subject& s, bool large_only) {
  return s.applies() && s.philox && (!large_only || s.shape->large);
}

namespace {

// A value for a required argument the user did not give: inside its bounds,
// so the checks can run; the report says which one was chosen.
ArgValue chosen_value(const ArgSpec& spec) {
  switch (spec.type) {
    case ArgType::Number:
      if (spec.min && spec.max) return (*spec.min + *spec.max) / 2;
      if (spec.min) return *spec.min + 1;
      if (spec.max) return *spec.max - 1;
      return 0.5;
    case ArgType::Integer:
    case ArgType::IntegerPair:
    case ArgType::IntegerList: {
      double value = 1;
      if (spec.min) {
        const double m = *spec.min;
        value = std::max(
            value, spec.min_exclusive ? std::floor(m) + 1 : std::ceil(m));
      }
      if (spec.max) value = std::min(value, std::floor(*spec.max));
      const auto n =
          static_cast<std::int64_t>(std::clamp(value, -0x1p62, 0x1p62));
      if (spec.type == ArgType::IntegerPair) return IntPair{n, n};
      if (spec.type == ArgType::IntegerList) return IntList{n};
      return n;
    }
    case ArgType::Boolean:
      return false;
    case ArgType::String:
      if (!spec.choices.empty()) return spec.choices.front();
      return std::string("value");
  }
  return 0.5;
}

// check() must throw InvalidArgument for a parameter it cannot fill.
void classify(const Initializer& init, Subject& subject) {
  try {
    init.check(subject.param);
  } catch (const InvalidArgument& e) {
    subject.refused = e.what();
  } catch (const ShapeError& e) {
    subject.refused = e.what();
  } catch (const std::exception& e) {
    subject.refused = e.what();
    subject.broken = true;
  } catch (...) {
    subject.refused = "a non-standard exception";
    subject.broken = true;
  }
}

}  // namespace
}  // namespace conformance

ConformanceReport check_conformance(
    const Registry& registry,
    const std::string& scheme_name,
    const ConformanceOptions& options) {
  using namespace conformance;
  const RegisteredScheme& scheme = registry.find(scheme_name);
  ConformanceReport report;
  report.scheme = scheme_name;
  report.library_path = scheme.library_path;
  report.seed = options.seed;

  ArgList base = options.args;
  for (const ArgSpec& spec : scheme.info.args) {
    if (spec.default_value || given(base, spec.name)) continue;
    const ArgValue value = chosen_value(spec);
    base.emplace_back(spec.name, value);
    report.notes.push_back(
        "required argument " + spec.name + " not given: using " +
        to_string(value) + " (choose with --arg " + spec.name + "=VALUE)");
  }
  // The caller's own arguments must fit the schema: a usage error, not a
  // finding about the scheme.
  report.args = bind_args(scheme.info.args, base).values();

  Run run{registry, scheme, base, options.seed, nullptr, {}, report};
  try {
    run.init = registry.create(scheme_name, base);
  } catch (const std::exception& e) {
    run.add(
        "schema",
        base.empty() ? "no arguments" : "base arguments",
        CheckResult::Failed,
        std::string("cannot create the initializer: ") + e.what());
    run.add(
        "all others",
        "-",
        CheckResult::Skipped,
        "nothing to check without an initializer");
    return report;
  }
  for (const TestShape& shape : test_shapes()) {
    Subject subject{&shape, ParamInfo{shape.path, shape.shape, shape.fans}};
    if (!shape.fans && shape.shape.rank() >= 2) {
      subject.param.fans = compute_fans(shape.shape);
    }
    classify(*run.init, subject);
    run.subjects.push_back(std::move(subject));
  }
  check_schema(run);
  check_finite_values(run);
  check_threads(run);
  check_shards(run);
  check_distribution(run);
  if (scheme.info.data_dependent) {
    const std::string why =
        "data-dependent scheme: only the pre-initialization fill is checked; "
        "calibrate() needs a model and is not exercised";
    run.add("calibration", "-", CheckResult::Skipped, why);
    report.notes.push_back(why);
  }
  return report;
}

}  // namespace initforge
