// SPDX-License-Identifier: Apache-2.0
#pragma once

// Small header-only helpers shared by the built-in plugins (each plugin is its
// own library, so these are compiled into every one that uses them).

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "framework/core/error_text.h"
#include "framework/init/text.h"
#include "framework/plugin/plugin.h"

namespace initforge::plugins {

/// "; got shape [3, 4]": the tail of every shape error.
inline std::string got_shape(const Shape& shape) {
  return with_got("", "shape " + shape.to_string());
}

/// True when some dimension is 0 (the tensor has no elements).
inline bool has_zero_dim(const Shape& shape) {
  for (const std::int64_t dim : shape.dims()) {
    if (dim == 0) return true;
  }
  return false;
}

/// A SchemeInfo whose factory constructs T(args, extra...).
template <class T, class... Extra>
SchemeInfo make_scheme(
    std::string name,
    std::string doc,
    std::vector<ArgSpec> args,
    bool elementwise,
    Extra... extra) {
  return SchemeInfo{
      std::move(name),
      std::move(doc),
      std::move(args),
      elementwise,
      [=](const Args& bound) -> std::unique_ptr<Initializer> {
        return std::make_unique<T>(bound, extra...);
      }};
}

/// Non-elementwise schemes fill whole parameters only: refuses a shard.
inline void require_whole(
    std::string_view scheme, const TensorView& dst, const FillContext& ctx) {
  if (ctx.offset != 0 || dst.numel() != ctx.param.shape.numel()) {
    throw InvalidArgument(with_got(
        std::string(scheme) + " on " + ctx.param.path +
            ": not elementwise, so it fills whole parameters only",
        std::to_string(dst.numel()) + " elements at offset " +
            std::to_string(ctx.offset) + " of shape " +
            ctx.param.shape.to_string()));
  }
}

/// Index-dependent elementwise schemes: the shard must lie in the parameter.
inline void require_in_param(
    std::string_view scheme, const TensorView& dst, const FillContext& ctx) {
  const std::int64_t total = ctx.param.shape.numel();
  if (ctx.offset < 0 || ctx.offset > total ||
      dst.numel() > total - ctx.offset) {
    throw InvalidArgument(
        std::string(scheme) + " on " + ctx.param.path + ": elements [" +
        std::to_string(ctx.offset) + ", " +
        std::to_string(ctx.offset + dst.numel()) + ") lie outside shape " +
        ctx.param.shape.to_string());
  }
}

/// PyTorch's uniform_ checks, at creation: a <= b, both finite in float32 and
/// b - a representable (ArgumentError naming the argument).
inline void check_interval(std::string_view scheme, double a, double b) {
  constexpr double kMax = std::numeric_limits<float>::max();
  const std::string name(scheme);
  for (const auto& [key, x] : {std::pair{"a", a}, std::pair{"b", b}}) {
    if (std::fabs(x) > kMax) {
      throw ArgumentError(
          key,
          with_got(
              name + ": " + key + " is out of bounds for float32",
              key + ("=" + format_double(x))));
    }
  }
  if (a > b) {
    throw ArgumentError(
        "a",
        name + ": " +
            expected_got(
                "a <= b",
                "a=" + format_double(a) + " > b=" + format_double(b)));
  }
  if (b - a > kMax) {
    throw ArgumentError(
        "b",
        name + ": " +
            expected_got(
                "b - a <= float32 max",
                "a=" + format_double(a) + ", b=" + format_double(b)));
  }
}

}  // namespace initforge::plugins
