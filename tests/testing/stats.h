// SPDX-License-Identifier: Apache-2.0
#pragma once

// Statistics shared by the test suites: moments, the CDFs of the target
// distributions and the one-sample Kolmogorov-Smirnov test. Header-only so
// every test executable can use it through initforge_testing.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <numbers>
#include <span>
#include <utility>
#include <vector>

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

/// CDF of U[from, to).
inline double uniform_cdf(double x, double from, double to) {
  if (x <= from) return 0.0;
  if (x >= to) return 1.0;
  return (x - from) / (to - from);
}

/// CDF of N(mean, std^2) (erfc form: accurate in the lower tail).
inline double normal_cdf(double x, double mean = 0.0, double std = 1.0) {
  return 0.5 * std::erfc(-(x - mean) / (std * std::numbers::sqrt2));
}

/// Upper tail 1 - CDF of N(mean, std^2), accurate in the upper tail.
inline double normal_sf(double x, double mean = 0.0, double std = 1.0) {
  return 0.5 * std::erfc((x - mean) / (std * std::numbers::sqrt2));
}

/// CDF of N(mean, std^2) truncated to [a, b] (a < b); uses the tail of the
/// normal on the side of the interval so one-sided narrow intervals such as
/// [2, 3] or [-9, -8] keep their precision.
inline double truncated_normal_cdf(
    double x, double mean, double std, double a, double b) {
  if (x <= a) return 0.0;
  if (x >= b) return 1.0;
  if (a > mean) {  // upper tail: differences of survival functions
    const double qa = normal_sf(a, mean, std);
    return (qa - normal_sf(x, mean, std)) / (qa - normal_sf(b, mean, std));
  }
  const double pa = normal_cdf(a, mean, std);
  return (normal_cdf(x, mean, std) - pa) / (normal_cdf(b, mean, std) - pa);
}

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

/// Survival function of the Kolmogorov distribution, P(K > lambda).
inline double kolmogorov_sf(double lambda) {
  if (lambda <= 0.0) return 1.0;
  const double pi2 = std::numbers::pi * std::numbers::pi;
  if (lambda < 1.0) {
    // Jacobi-transformed series, fast for small lambda.
    double cdf = 0.0;
    for (int k = 1; k <= 20; ++k) {
      const double j = 2.0 * k - 1.0;
      cdf += std::exp(-j * j * pi2 / (8.0 * lambda * lambda));
    }
    cdf *= std::sqrt(2.0 * std::numbers::pi) / lambda;
    return std::clamp(1.0 - cdf, 0.0, 1.0);
  }
  double sf = 0.0;
  for (int k = 1; k <= 100; ++k) {
    const double term = std::exp(-2.0 * k * k * lambda * lambda);
    sf += (k % 2 == 1 ? 2.0 : -2.0) * term;
    if (term < 1e-18) break;
  }
  return std::clamp(sf, 0.0, 1.0);
}

/// Result of a one-sample Kolmogorov-Smirnov test.
struct KsResult {
  double statistic = 0.0;  // sup |F_n(x) - F(x)|
  double p_value = 1.0;
};

/// One-sample KS test of `samples` against the continuous CDF `cdf`. The
/// p-value is the Kolmogorov asymptotic one with Stephens' small-n correction
/// (lambda = (sqrt(n) + 0.12 + 0.11 / sqrt(n)) D), good for n >= ~35.
inline KsResult ks_test(
    std::span<const float> samples, const std::function<double(double)>& cdf) {
  KsResult r;
  if (samples.empty()) return r;
  std::vector<float> x(samples.begin(), samples.end());
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(static_cast<double>(x[i]));
    const double lo = static_cast<double>(i) / n;
    const double hi = static_cast<double>(i + 1) / n;
    d = std::max({d, f - lo, hi - f});
  }
  r.statistic = d;
  const double sn = std::sqrt(n);
  r.p_value = kolmogorov_sf((sn + 0.12 + 0.11 / sn) * d);
  return r;
}

}  // namespace initforge::testing
