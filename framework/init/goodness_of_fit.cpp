// SPDX-License-Identifier: Apache-2.0
#include "framework/init/goodness_of_fit.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/init/text.h"

namespace initforge {

double uniform_cdf(double x, double from, double to) {
  if (x <= from) return 0.0;
  if (x >= to) return 1.0;
  return (x - from) / (to - from);
}

double normal_cdf(double x, double mean, double std) {
  return 0.5 * std::erfc(-(x - mean) / (std * std::numbers::sqrt2));
}

double normal_sf(double x, double mean, double std) {
  return 0.5 * std::erfc((x - mean) / (std * std::numbers::sqrt2));
}

double truncated_normal_cdf(
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

double kolmogorov_sf(double lambda) {
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

KsResult ks_test(
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

std::function<double(double)> target_cdf(const Target& t) {
  switch (t.kind) {
    case Target::Kind::Uniform:
      if (t.low < t.high) {
        return [t](double x) { return uniform_cdf(x, t.low, t.high); };
      }
      break;
    case Target::Kind::Normal:
      if (t.std > 0) {
        return [t](double x) { return normal_cdf(x, t.mean, t.std); };
      }
      break;
    case Target::Kind::TruncatedNormal:
      if (t.std > 0 && t.low < t.high) {
        return [t](double x) {
          return truncated_normal_cdf(x, t.mean, t.std, t.low, t.high);
        };
      }
      break;
    case Target::Kind::Constant:
    case Target::Kind::Unknown:
      break;
  }
  throw InvalidArgument(
      "target_cdf: " +
      expected_got(
          "a continuous target (uniform with low < high, normal with std > 0, "
          "truncated normal with std > 0 and low < high)",
          std::string(to_string(t.kind)) + " with mean " +
              format_double(t.mean) + ", std " + format_double(t.std) +
              ", low " + format_double(t.low) + ", high " +
              format_double(t.high)));
}

}  // namespace initforge
