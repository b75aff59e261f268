// SPDX-License-Identifier: Apache-2.0
// The declared-argument checks: defaults are applied and mean what passing
// them explicitly means; every declared bound, choice and type is enforced
// by Registry::create, and values inside the bounds are accepted.
#include <algorithm>
#include <cmath>
#include <exception>

#include "framework/core/error.h"
#include "framework/init/text.h"
#include "framework/plugin/conformance_detail.h"

namespace initforge::conformance {
namespace {

struct Outcome {
  CheckResult result;
  std::string detail;
};

struct Attempt {
  bool accepted = false;
  bool argument_error = false;
  std::string key;  // ArgumentError::key()
  std::string message;
};

Attempt try_create(const Run& run, const ArgList& args) {
  try {
    run.registry.create(run.scheme.info.name, args);
    return {true, false, "", ""};
  } catch (const ArgumentError& e) {
    return {false, true, e.key(), e.what()};
  } catch (const std::exception& e) {
    return {false, false, "", e.what()};
  } catch (...) {
    return {false, false, "", "a non-standard exception"};
  }
}

ArgList with(ArgList args, const std::string& name, const ArgValue& value) {
  for (auto& [key, v] : args) {
    if (key == name) {
      v = value;
      return args;
    }
  }
  args.emplace_back(name, value);
  return args;
}

std::string assignment(const std::string& name, const ArgValue& value) {
  return name + "=" + to_string(value);
}

bool fits(const ArgSpec& spec, const ArgValue& value) {
  try {
    bind_args({spec}, {{spec.name, value}});
    return true;
  } catch (const ArgumentError&) {
    return false;
  }
}

// Values of another argument worth trying when `tested` is refused with the
// base arguments: a factory may refuse combinations (a > b) that the schema
// cannot express.
std::vector<ArgValue> alternatives(
    const ArgSpec& other, const ArgValue& tested) {
  std::vector<ArgValue> candidates;
  if (other.type == ArgType::Boolean) candidates = {true, false};
  for (const std::string& choice : other.choices) candidates.push_back(choice);
  if (other.type == ArgType::Number || other.type == ArgType::Integer) {
    std::vector<double> xs = {0.0, 1.0, -1.0};
    const double* d = std::get_if<double>(&tested);
    const auto* i = std::get_if<std::int64_t>(&tested);
    if (d != nullptr || i != nullptr) {
      const double t = d != nullptr ? *d : static_cast<double>(*i);
      const double far = 2 * std::fabs(t) + 1;
      xs.insert(xs.end(), {t, -t, far, -far});
    }
    if (other.min) xs.insert(xs.end(), {*other.min, *other.min + 1});
    if (other.max) xs.insert(xs.end(), {*other.max, *other.max - 1});
    for (const double x : xs) {
      if (other.type == ArgType::Number) {
        candidates.emplace_back(x);
      } else if (std::fabs(x) < 0x1p62) {
        candidates.emplace_back(static_cast<std::int64_t>(std::round(x)));
      }
    }
  }
  std::erase_if(candidates, [&](const ArgValue& v) { return !fits(other, v); });
  return candidates;
}

Outcome refused(const Run& run, const ArgSpec& spec, const ArgValue& value) {
  const Attempt a = try_create(run, with(run.base, spec.name, value));
  if (a.argument_error && a.key == spec.name) {
    return {CheckResult::Passed, "refused: " + a.message};
  }
  if (a.accepted) {
    return {CheckResult::Failed, "accepted, though the schema forbids it"};
  }
  if (a.argument_error) {
    return {
        CheckResult::Failed,
        "refused, but the ArgumentError names \"" + a.key + "\": " + a.message};
  }
  return {
      CheckResult::Failed, "refused without an ArgumentError: " + a.message};
}

Outcome accepted(const Run& run, const ArgSpec& spec, const ArgValue& value) {
  const ArgList args = with(run.base, spec.name, value);
  const Attempt a = try_create(run, args);
  if (a.accepted) return {CheckResult::Passed, "accepted"};
  if (!a.argument_error) {
    return {
        CheckResult::Failed, "refused without an ArgumentError: " + a.message};
  }
  for (const ArgSpec& other : run.scheme.info.args) {
    if (other.name == spec.name) continue;
    for (const ArgValue& alt : alternatives(other, value)) {
      if (try_create(run, with(args, other.name, alt)).accepted) {
        return {
            CheckResult::Passed,
            "accepted with " + assignment(other.name, alt) +
                " (with the base arguments: " + a.message + ")"};
      }
    }
  }
  if (a.key != spec.name) {
    return {
        CheckResult::Skipped,
        "refused by a cross-argument constraint on \"" + a.key +
            "\": " + a.message};
  }
  return {
      CheckResult::Failed,
      "the schema allows it, but the factory refuses it: " + a.message};
}

void add(Run& run, const std::string& subject, const Outcome& outcome) {
  run.add("schema", subject, outcome.result, outcome.detail);
}

// Just outside / at / inside each declared bound.
void check_bounds(Run& run, const ArgSpec& spec) {
  const bool integer = spec.type == ArgType::Integer ||
                       spec.type == ArgType::IntegerPair ||
                       spec.type == ArgType::IntegerList;
  const auto value = [&](double x) -> std::optional<ArgValue> {
    if (!integer)
      return std::isfinite(x) ? std::optional<ArgValue>(x) : std::nullopt;
    if (!(std::fabs(x) < 0x1p63)) return std::nullopt;
    return ArgValue(static_cast<std::int64_t>(x));
  };
  const auto step = [](double m) { return std::max(std::fabs(m), 1.0) * 1e-6; };
  const auto row = [&](std::optional<ArgValue> v,
                       const std::string& where,
                       bool refuse) {
    if (!v) return;
    const std::string subject = assignment(spec.name, *v) + " (" + where + ")";
    add(run,
        subject,
        refuse ? refused(run, spec, *v) : accepted(run, spec, *v));
  };
  if (spec.min) {
    const double m = *spec.min;
    const std::string bound =
        spec.name + (spec.min_exclusive ? " > " : " >= ") + format_double(m);
    if (spec.min_exclusive) {
      row(value(integer ? std::floor(m) : m),
          "at the exclusive minimum, " + bound,
          true);
      row(value(integer ? std::floor(m) + 1 : m + step(m)),
          "inside, " + bound,
          false);
    } else {
      row(value(integer ? std::ceil(m) - 1 : m - step(m)),
          "below the minimum, " + bound,
          true);
      row(value(integer ? std::ceil(m) : m), "at the minimum, " + bound, false);
    }
  }
  if (spec.max) {
    const double m = *spec.max;
    const std::string bound = spec.name + " <= " + format_double(m);
    row(value(integer ? std::floor(m) + 1 : m + step(m)),
        "above the maximum, " + bound,
        true);
    row(value(integer ? std::floor(m) : m), "at the maximum, " + bound, false);
  }
}

void check_choices(Run& run, const ArgSpec& spec) {
  const ArgValue bogus = std::string("not_a_choice_of_" + spec.name);
  add(run,
      assignment(spec.name, bogus) + " (not a choice)",
      refused(run, spec, bogus));
  std::string failed, skipped;
  for (const std::string& choice : spec.choices) {
    const Outcome o = accepted(run, spec, choice);
    std::string& list = o.result == CheckResult::Failed ? failed : skipped;
    if (o.result != CheckResult::Passed) {
      list += (list.empty() ? "" : "; ") + assignment(spec.name, choice) +
              ": " + o.detail;
    }
  }
  const std::string subject = spec.name + ": each of its " +
                              std::to_string(spec.choices.size()) + " choices";
  if (!failed.empty()) {
    add(run, subject, {CheckResult::Failed, failed});
  } else if (!skipped.empty()) {
    add(run, subject, {CheckResult::Skipped, skipped});
  } else {
    add(run, subject, {CheckResult::Passed, "every choice accepted"});
  }
}

ArgValue wrong_type(ArgType type) {
  switch (type) {
    case ArgType::Number:
      return std::string("x");
    case ArgType::Integer:
      return 0.5;
    case ArgType::Boolean:
      return std::int64_t{1};
    case ArgType::String:
      return 1.0;
    case ArgType::IntegerPair:
    case ArgType::IntegerList:
      return std::string("x");
  }
  return std::string("x");
}

std::string args_text(const std::map<std::string, ArgValue>& args) {
  std::string text;
  for (const auto& [name, value] : args) {
    text += (text.empty() ? "" : ", ") + assignment(name, value);
  }
  return text.empty() ? "(the scheme takes none)" : text;
}

bool same(const Target& a, const Target& b) {
  return a.kind == b.kind && a.mean == b.mean && a.std == b.std &&
         a.low == b.low && a.high == b.high;
}

// Values with the defaults left out == values with them passed explicitly.
Outcome explicit_defaults(const Run& run) {
  ArgList explicit_args = run.base;
  for (const ArgSpec& spec : run.scheme.info.args) {
    if (spec.default_value && !given(run.base, spec.name)) {
      explicit_args.emplace_back(spec.name, *spec.default_value);
    }
  }
  if (explicit_args.size() == run.base.size()) {
    return {CheckResult::Skipped, "no argument falls back to a default"};
  }
  std::shared_ptr<const Initializer> other;
  try {
    other = run.registry.create(run.scheme.info.name, explicit_args);
  } catch (const std::exception& e) {
    return {CheckResult::Failed, std::string("creation failed: ") + e.what()};
  }
  const auto subject = std::find_if(
      run.subjects.begin(), run.subjects.end(), [](const Subject& s) {
        return s.applies();
      });
  if (subject == run.subjects.end()) {
    return {CheckResult::Skipped, "no test shape applies"};
  }
  const ParamInfo& param = subject->param;
  const std::string where = " on " + subject->shape->label;
  try {
    const Target a = run.init->target(param), b = other->target(param);
    if (!same(a, b)) {
      return {
          CheckResult::Failed,
          "declared targets differ" + where + ": " + describe(a) +
              " (defaults left out) vs " + describe(b) + " (explicit)"};
    }
    const Tensor x = fill(*run.init, param, RngKind::Philox, run.seed);
    const Tensor y = fill(*other, param, RngKind::Philox, run.seed);
    const std::string diff =
        difference(x.span(), y.span(), 0, "defaults left out", "explicit");
    if (!diff.empty()) return {CheckResult::Failed, diff + where};
  } catch (...) {
    return {
        CheckResult::Skipped,
        "filling or target() fails (see finite, distribution): " +
            current_error()};
  }
  return {CheckResult::Passed, "identical values" + where};
}

}  // namespace

void check_schema(Run& run) {
  std::string chosen;
  for (const auto& [name, value] : run.base) {
    chosen += (chosen.empty() ? "" : ", ") + assignment(name, value);
  }
  add(run,
      chosen.empty() ? "no arguments" : "given " + chosen,
      {CheckResult::Passed,
       "created; bound with every default: " + args_text(run.report.args)});
  add(run, "defaults passed explicitly", explicit_defaults(run));
  for (const ArgSpec& spec : run.scheme.info.args) {
    const ArgValue bad = wrong_type(spec.type);
    add(run,
        assignment(spec.name, bad) + " (wrong type, expected " +
            std::string(to_string(spec.type)) + ")",
        refused(run, spec, bad));
    if (spec.type == ArgType::Number || spec.type == ArgType::Integer) {
      check_bounds(run, spec);
    }
    if (spec.type == ArgType::String && !spec.choices.empty()) {
      check_choices(run, spec);
    }
  }
}

}  // namespace initforge::conformance
