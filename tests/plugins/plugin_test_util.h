// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers of plugins_tests: create a built-in scheme through the real
// registry, fill a parameter with the philox generator, KS-test the values.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/generator.h"
#include "framework/init/initializer.h"

#include "tests/testing/builtin_registry.h"
#include "tests/testing/stats.h"

namespace initforge::testing {

/// KS tests pass above this p-value (PyTorch's TestNNInit threshold).
inline constexpr double kMinP = 1e-4;

/// A parameter to fill: shape, optional owner fans, path (keys philox).
struct ParamSpec {
  Shape shape;
  std::optional<Fans> fans = std::nullopt;
  std::string path = "layer.weight";
};

/// ParamInfo of a weight named layer.weight (fans from the shape or given).
inline ParamInfo param_of(
    const Shape& shape, std::optional<Fans> fans = std::nullopt) {
  return ParamInfo{"layer.weight", shape, fans};
}

/// The initializer `scheme` with `args`, through the plugin registry.
inline std::shared_ptr<const Initializer> make(
    const std::string& scheme, const ArgList& args = {}) {
  return builtin_registry().create(scheme, args);
}

/// Elements [offset, offset + count) of `param` as `init` fills them with
/// philox(seed), from a generator created for that offset (count < 0: all).
inline std::vector<float> fill_range(
    const Initializer& init,
    const ParamSpec& spec,
    std::int64_t offset,
    std::int64_t count,
    std::uint64_t seed = 20240601) {
  const ParamInfo param{spec.path, spec.shape, spec.fans};
  init.check(param);
  const bool whole = count < 0;
  if (whole) count = spec.shape.numel();
  std::vector<float> out(static_cast<std::size_t>(count), -12345.0F);
  auto source = RandomSource::create(RngKind::Philox, seed);
  auto gen = source->generator_for(spec.path, offset);
  const FillContext ctx{param, *gen, offset};
  const Shape view = whole ? spec.shape : Shape{count};
  init.fill(TensorView(out, view), ctx);
  return out;
}

/// The whole parameter filled by `scheme(args)` with philox(seed).
inline std::vector<float> fill(
    const std::string& scheme,
    const ArgList& args,
    const ParamSpec& spec,
    std::uint64_t seed = 20240601) {
  return fill_range(*make(scheme, args), spec, 0, -1, seed);
}

/// The CDF of a declared target (Uniform, Normal, TruncatedNormal).
inline std::function<double(double)> cdf_of(const Target& t) {
  switch (t.kind) {
    case Target::Kind::Uniform:
      return [t](double x) { return uniform_cdf(x, t.low, t.high); };
    case Target::Kind::Normal:
      return [t](double x) { return normal_cdf(x, t.mean, t.std); };
    case Target::Kind::TruncatedNormal:
      return [t](double x) {
        return truncated_normal_cdf(x, t.mean, t.std, t.low, t.high);
      };
    default:
      ADD_FAILURE() << "no CDF for this target kind";
      return [](double) { return 0.0; };
  }
}

/// KS p-value of `values` against `target`.
inline double ks_p(std::span<const float> values, const Target& target) {
  return ks_test(values, cdf_of(target)).p_value;
}

/// Expects the two targets to describe the same distribution.
inline void expect_same_target(const Target& got, const Target& want) {
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_DOUBLE_EQ(got.mean, want.mean);
  EXPECT_DOUBLE_EQ(got.std, want.std);
  EXPECT_DOUBLE_EQ(got.low, want.low);
  EXPECT_DOUBLE_EQ(got.high, want.high);
}

/// The message of the exception of type E that `f` throws ("" + a failure
/// if it throws nothing or something else).
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw another type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "threw nothing";
  return "";
}

}  // namespace initforge::testing
