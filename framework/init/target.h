// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "framework/core/export.h"

namespace initforge {

/// The distribution a scheme's values follow, declared by the scheme. Used
/// for reports ("expected std") and for conformance and KS tests.
struct INITFORGE_API Target {
  enum class Kind {
    Unknown,          // not declared (structured or data-dependent schemes)
    Constant,         // every value == mean
    Uniform,          // U[low, high)
    Normal,           // N(mean, std²)
    TruncatedNormal,  // N(mean, std²) restricted to [low, high]
  };
  Kind kind = Kind::Unknown;
  double mean = 0.0;
  double std = 0.0;  // of the untruncated normal for TruncatedNormal
  double low = 0.0;
  double high = 0.0;

  static Target unknown();
  static Target constant(double value);
  static Target uniform(double low, double high);
  static Target normal(double mean, double std);
  static Target truncated_normal(double mean, double std, double a, double b);

  /// Mean and standard deviation of the values (exact moments, including
  /// those of the truncated normal). Unknown gives NaN.
  double expected_mean() const;
  double expected_std() const;
};

/// "constant", "uniform", "normal", "truncated_normal" or "unknown".
INITFORGE_API std::string_view to_string(Target::Kind kind);

}  // namespace initforge
