// SPDX-License-Identifier: Apache-2.0
#include "framework/plugin/fill_checked.h"

#include <bit>
#include <cstdint>
#include <exception>

#include "framework/core/error.h"

namespace initforge {
namespace {

// Below this a thread team costs more than the scan itself.
constexpr std::int64_t kParallelScan = std::int64_t{1} << 20;

// Exponent all ones: Inf or NaN. Integer compare, so it vectorizes and is
// immune to -ffinite-math-only.
inline bool non_finite(float v) {
  return (std::bit_cast<std::uint32_t>(v) & 0x7f800000u) == 0x7f800000u;
}

std::int64_t count_non_finite(std::span<const float> values) {
  const float* data = values.data();
  const auto n = static_cast<std::int64_t>(values.size());
  std::int64_t count = 0;
#pragma omp parallel for simd reduction(+ : count) if (n >= kParallelScan) \
    schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    count += non_finite(data[i]) ? 1 : 0;
  }
  return count;
}

std::string value_text(float v) {
  if (v != v) return "nan";
  return v > 0 ? "inf" : "-inf";
}

// "(in-process)" for a scheme without a library, as the registry says.
std::string library_label(const FillChecks& checks) {
  return checks.library_path.empty() ? "(in-process)" : checks.library_path;
}

// PluginError's own prefix names the library: "plugin <library>: " + this.
std::string origin(const std::string& param_path, const FillChecks& checks) {
  return param_path + ": scheme \"" + checks.scheme + "\"";
}

}  // namespace

void fill_checked(
    const Initializer& init,
    TensorView dst,
    const FillContext& ctx,
    const FillChecks& checks) {
  try {
    init.fill(dst, ctx);
  } catch (const std::exception& e) {
    throw PluginError(
        library_label(checks),
        origin(ctx.param.path, checks) + " failed while filling: " + e.what());
  } catch (...) {
    throw PluginError(
        library_label(checks),
        origin(ctx.param.path, checks) +
            " failed while filling: a non-standard exception");
  }
  if (checks.check_finite) check_finite(dst.data(), ctx, checks);
}

void calibrate_checked(
    const Initializer& init,
    const CalibrationContext& ctx,
    const FillChecks& checks) {
  try {
    init.calibrate(ctx);
  } catch (const std::exception& e) {
    throw PluginError(
        library_label(checks),
        origin(ctx.param.path, checks) +
            " failed while calibrating: " + e.what());
  } catch (...) {
    throw PluginError(
        library_label(checks),
        origin(ctx.param.path, checks) +
            " failed while calibrating: a non-standard exception");
  }
  if (!checks.check_finite) return;
  for (const auto& [name, values] : ctx.model.layer_params()) {
    const ParamInfo info{
        .path = ctx.model.layer() + "." + name,
        .shape = values.shape(),
        .fans = std::nullopt};
    check_finite(values.data(), {.param = info, .gen = ctx.gen}, checks);
  }
}

void check_finite(
    std::span<const float> values,
    const FillContext& ctx,
    const FillChecks& checks) {
  const std::int64_t count = count_non_finite(values);
  if (count == 0) return;
  std::size_t first = 0;
  while (!non_finite(values[first])) ++first;  // rare path: plain scan
  throw PluginError(
      library_label(checks),
      origin(ctx.param.path, checks) + " wrote " + std::to_string(count) +
          " non-finite value(s) (NaN or Inf) of " +
          std::to_string(values.size()) + "; the first at index " +
          std::to_string(ctx.offset + static_cast<std::int64_t>(first)) + ": " +
          value_text(values[first]));
}

}  // namespace initforge
