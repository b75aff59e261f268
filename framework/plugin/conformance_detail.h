// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_core: the state one conformance run shares
// between its checks (conformance.cpp runs them; conformance_schema.cpp,
// conformance_values.cpp and conformance_distribution.cpp implement them).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/generator.h"
#include "framework/core/tensor.h"
#include "framework/plugin/conformance.h"

namespace initforge::conformance {

/// A parameter the checks fill: Linear-, Conv- and bias-like, small and
/// large (large ones exceed the generators' parallel threshold).
struct TestShape {
  std::string label;  // "[3, 5]", "[5] bias of [5, 3]"
  std::string path;   // keys the philox stream: one stream per shape
  Shape shape;
  std::optional<Fans> fans;  // owner fans of a bias
  bool large = false;        // threads and distribution run on these
};

/// A test shape and what the scheme's check() said about it.
struct Subject {
  const TestShape* shape;
  ParamInfo param;
  // "" when check() accepted the shape; else its InvalidArgument message
  // (not applicable) or, when `broken`, what else it threw (a failure).
  std::string refused = {};
  bool broken = false;
  std::optional<Tensor> philox = {};  // the finite check's fill, reused
  bool torch_fills = true;  // false when the finite check's torch fill failed

  bool applies() const {
    return refused.empty() && !broken;
  }
};

/// One scheme's run.
struct Run {
  const Registry& registry;
  const RegisteredScheme& scheme;
  ArgList base;
  std::uint64_t seed;
  std::shared_ptr<const Initializer> init;  // created with `base`
  std::vector<Subject> subjects;            // one per test shape
  ConformanceReport& report;

  void add(
      std::string check,
      std::string subject,
      CheckResult result,
      std::string detail) const;
};

/// The test shapes, in report order.
const std::vector<TestShape>& test_shapes();

/// Elements [offset, offset + count) of `param` filled by `init` with a fresh
/// `kind` source at `seed` (count < 0: the whole parameter, in its shape).
/// The buffer starts as NaN, so unwritten elements show up as non-finite.
/// Whatever the scheme throws propagates.
Tensor fill(
    const Initializer& init,
    const ParamInfo& param,
    RngKind kind,
    std::uint64_t seed,
    std::int64_t offset = 0,
    std::int64_t count = -1);

/// "" when `a` and `b` are bitwise identical, else "K of N values differ;
/// first at index I: X (what_a) vs Y (what_b)".
std::string difference(
    std::span<const float> a,
    std::span<const float> b,
    std::int64_t offset,
    const std::string& what_a,
    const std::string& what_b);

/// "" when every value is finite, else "K non-finite value(s) of N; the first
/// at index I: nan".
std::string non_finite(std::span<const float> values);

/// The message of the exception being handled (call inside a catch).
std::string current_error();

/// An applicable shape whose philox fill worked (large ones only if asked):
/// the finite check reported the others, the later checks skip them.
bool usable(const Subject& subject, bool large_only);

/// True when `args` sets `name`.
bool given(const ArgList& args, const std::string& name);

/// "U(-0.1, 0.1)", "N(mean 0, std 0.05)", "constant 0.5", ...
std::string describe(const Target& target);

/// printf("%.<digits>g").
std::string num(double value, int digits = 4);

/// The declared-argument checks (conformance_schema.cpp).
void check_schema(Run& run);
/// Fills every applicable shape with both generators; sets `philox`.
void check_finite_values(Run& run);
/// 1 vs 2 OpenMP threads for philox and torch on the large shapes.
void check_threads(Run& run);
/// Shards vs the full fill (elementwise schemes only).
void check_shards(Run& run);
/// KS test (or exact / bounds checks) against the declared target
/// (conformance_distribution.cpp).
void check_distribution(Run& run);

}  // namespace initforge::conformance
