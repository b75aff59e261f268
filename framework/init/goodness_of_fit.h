// SPDX-License-Identifier: Apache-2.0
#pragma once

// The CDFs of the declared target distributions and the one-sample
// Kolmogorov-Smirnov test: used by the conformance checks and, through
// tests/testing/stats.h, by the statistical tests.

#include <functional>
#include <span>

#include "framework/core/export.h"
#include "framework/init/target.h"

namespace initforge {

/// CDF of U[from, to) (from < to).
INITFORGE_API double uniform_cdf(double x, double from, double to);

/// CDF of N(mean, std^2) (erfc form: accurate in the lower tail).
INITFORGE_API double normal_cdf(double x, double mean = 0.0, double std = 1.0);

/// Upper tail 1 - CDF of N(mean, std^2), accurate in the upper tail.
INITFORGE_API double normal_sf(double x, double mean = 0.0, double std = 1.0);

/// CDF of N(mean, std^2) truncated to [a, b] (a < b); uses the tail of the
/// normal on the side of the interval so one-sided narrow intervals such as
/// [2, 3] or [-9, -8] keep their precision.
INITFORGE_API double truncated_normal_cdf(
    double x, double mean, double std, double a, double b);

/// Survival function of the Kolmogorov distribution, P(K > lambda).
INITFORGE_API double kolmogorov_sf(double lambda);

/// Result of a one-sample Kolmogorov-Smirnov test.
struct KsResult {
  double statistic = 0.0;  // sup |F_n(x) - F(x)|
  double p_value = 1.0;
};

/// One-sample KS test of `samples` (finite) against the continuous CDF `cdf`.
/// The p-value is the Kolmogorov asymptotic one with Stephens' small-n
/// correction (lambda = (sqrt(n) + 0.12 + 0.11 / sqrt(n)) D), good for
/// n >= ~35.
INITFORGE_API KsResult ks_test(
    std::span<const float> samples, const std::function<double(double)>& cdf);

/// The CDF of a continuous target (Uniform with low < high, Normal with
/// std > 0, TruncatedNormal with std > 0 and low < high); InvalidArgument
/// for any other.
INITFORGE_API std::function<double(double)> target_cdf(const Target& target);

}  // namespace initforge
