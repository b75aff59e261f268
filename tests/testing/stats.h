// SPDX-License-Identifier: Apache-2.0
#pragma once

// Statistics shared by the test suites: moments and tolerances, plus the
// CDFs of the target distributions and the one-sample Kolmogorov-Smirnov
// test of framework/init/goodness_of_fit.h.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <span>
#include <utility>
#include <vector>

#include "framework/init/goodness_of_fit.h"

namespace initforge::testing {

/// Sample moments accumulated in double; std is the population one (1/n).
struct Moments {
  std::size_t count = 0;
  double mean = 0.0;
  double std = 0.0;
  double min = 0.0;
  double max = 0.0;
};

/// Moments of `x` (all zero for an empty span).
inline Moments moments(std::span<const float> x) {
  Moments m;
  m.count = x.size();
  if (x.empty()) return m;
  double sum = 0.0;
  m.min = m.max = x[0];
  for (float v : x) {
    sum += v;
    m.min = std::min(m.min, static_cast<double>(v));
    m.max = std::max(m.max, static_cast<double>(v));
  }
  m.mean = sum / static_cast<double>(x.size());
  double sq = 0.0;  // two-pass: no cancellation for large means
  for (float v : x) sq += (v - m.mean) * (v - m.mean);
  m.std = std::sqrt(sq / static_cast<double>(x.size()));
  return m;
}

/// Sample mean of `x`.
inline double mean(std::span<const float> x) {
  return moments(x).mean;
}

/// Population standard deviation of `x`.
inline double stddev(std::span<const float> x) {
  return moments(x).std;
}

/// Tolerance for a sample mean: `sigmas` standard errors of n draws of a
/// distribution with standard deviation `std`.
inline double mean_tolerance(double std, std::size_t n, double sigmas = 5.0) {
  return sigmas * std / std::sqrt(static_cast<double>(n));
}

/// Tolerance for a sample standard deviation: `sigmas` standard errors,
/// SE(s) ~= std * sqrt((excess_kurtosis + 2) / (4 n)) (0 for the normal,
/// -1.2 for the uniform).
inline double std_tolerance(
    double std,
    std::size_t n,
    double sigmas = 5.0,
    double excess_kurtosis = 0.0) {
  return sigmas * std *
         std::sqrt((excess_kurtosis + 2.0) / (4.0 * static_cast<double>(n)));
}

// The CDFs and the KS test live in the library (the conformance checks use
// them too); the tests see them under their old names.
using initforge::kolmogorov_sf;
using initforge::ks_test;
using initforge::KsResult;
using initforge::normal_cdf;
using initforge::normal_sf;
using initforge::truncated_normal_cdf;
using initforge::uniform_cdf;

/// Mean and standard deviation of N(mean, std^2) truncated to [a, b]
/// (a < b; infinite bounds allowed).
inline std::pair<double, double> truncated_normal_mean_std(
    double mean, double std, double a, double b) {
  const double alpha = (a - mean) / std;
  const double beta = (b - mean) / std;
  const auto pdf = [](double x) {
    return std::isinf(x)
               ? 0.0
               : std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
  };
  const auto x_pdf = [&](double x) { return std::isinf(x) ? 0.0 : x * pdf(x); };
  const double z = alpha > 0.0 ? normal_sf(alpha) - normal_sf(beta)
                               : normal_cdf(beta) - normal_cdf(alpha);
  const double shift = (pdf(alpha) - pdf(beta)) / z;
  const double var = 1.0 + (x_pdf(alpha) - x_pdf(beta)) / z - shift * shift;
  return {mean + std * shift, std * std::sqrt(var)};
}

}  // namespace initforge::testing
