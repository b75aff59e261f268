// SPDX-License-Identifier: Apache-2.0
#include "framework/init/target.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace initforge {
namespace {

double pdf(double x) {
  return std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi);
}
double cdf(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

}  // namespace

Target Target::unknown() {
  return {};
}
Target Target::constant(double value) {
  return {Kind::Constant, value, 0.0, value, value};
}
Target Target::uniform(double low, double high) {
  return {Kind::Uniform, 0.0, 0.0, low, high};
}
Target Target::normal(double mean, double std) {
  return {Kind::Normal, mean, std, 0.0, 0.0};
}
Target Target::truncated_normal(double mean, double std, double a, double b) {
  return {Kind::TruncatedNormal, mean, std, a, b};
}

double Target::expected_mean() const {
  switch (kind) {
    case Kind::Constant:
    case Kind::Normal:
      return mean;
    case Kind::Uniform:
      return 0.5 * (low + high);
    case Kind::TruncatedNormal: {
      const double alpha = (low - mean) / std, beta = (high - mean) / std;
      const double z = cdf(beta) - cdf(alpha);
      return mean + std * (pdf(alpha) - pdf(beta)) / z;
    }
    case Kind::Unknown:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double Target::expected_std() const {
  switch (kind) {
    case Kind::Constant:
      return 0.0;
    case Kind::Normal:
      return std;
    case Kind::Uniform:
      return (high - low) / std::sqrt(12.0);
    case Kind::TruncatedNormal: {
      const double alpha = (low - mean) / std, beta = (high - mean) / std;
      const double z = cdf(beta) - cdf(alpha);
      const double pa = std::isfinite(alpha) ? alpha * pdf(alpha) : 0.0;
      const double pb = std::isfinite(beta) ? beta * pdf(beta) : 0.0;
      const double d = (pdf(alpha) - pdf(beta)) / z;
      return std * std::sqrt(1 + (pa - pb) / z - d * d);
    }
    case Kind::Unknown:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string_view to_string(Target::Kind kind) {
  switch (kind) {
    case Target::Kind::Constant:
      return "constant";
    case Target::Kind::Uniform:
      return "uniform";
    case Target::Kind::Normal:
      return "normal";
    case Target::Kind::TruncatedNormal:
      return "truncated_normal";
    case Target::Kind::Unknown:
      break;
  }
  return "unknown";
}

}  // namespace initforge
