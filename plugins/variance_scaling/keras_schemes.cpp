// SPDX-License-Identifier: Apache-2.0
// variance_scaling and lecun_*, with Keras/JAX semantics (not PyTorch's):
// n = fan_in, fan_out or their mean, clamped to >= 1 as Keras does; the
// truncated normal is cut at +-2 std and its std divided by 0.8796... so the
// values keep variance scale/n.

#include <algorithm>
#include <cmath>

#include "plugins/common/scheme_util.h"
#include "plugins/variance_scaling/fan_scaled.h"

namespace initforge::plugins {
namespace {

// Std of N(0, 1) truncated to [-2, 2] (Keras, JAX).
constexpr double kTruncatedStd = 0.87962566103423978;

enum class Mode { FanIn, FanOut, FanAvg };

Mode parse_mode(const std::string& mode) {
  if (mode == "fan_in") return Mode::FanIn;
  if (mode == "fan_out") return Mode::FanOut;
  return Mode::FanAvg;  // the schema allows nothing else
}

Draw parse_distribution(const std::string& distribution) {
  if (distribution == "truncated_normal") return Draw::TruncatedNormal;
  if (distribution == "untruncated_normal") return Draw::Normal;
  return Draw::Uniform;  // the schema allows nothing else
}

class VarianceScaling final : public FanScaled {
 public:
  explicit VarianceScaling(const Args& args)
      : FanScaled(parse_distribution(args.string("distribution"))),
        scale_(args.number("scale")),
        mode_(parse_mode(args.string("mode"))) {}
  // lecun_*: scale 1, fan_in, the given distribution.
  VarianceScaling(const Args& /*args*/, Draw kind)
      : FanScaled(kind), scale_(1.0), mode_(Mode::FanIn) {}

 protected:
  double spread(const ParamInfo& param) const override {
    const Fans fans = param.require_fans();
    double n = static_cast<double>(fans.fan_in);
    if (mode_ == Mode::FanOut) n = static_cast<double>(fans.fan_out);
    if (mode_ == Mode::FanAvg) {
      n = static_cast<double>(fans.fan_in + fans.fan_out) / 2.0;
    }
    const double variance = scale_ / std::max(1.0, n);
    switch (draw()) {
      case Draw::TruncatedNormal:
        return std::sqrt(variance) / kTruncatedStd;
      case Draw::Normal:
        return std::sqrt(variance);
      case Draw::Uniform:
        return std::sqrt(3.0 * variance);
    }
    return 0.0;
  }

 private:
  double scale_;
  Mode mode_;
};

}  // namespace

std::vector<SchemeInfo> keras_schemes() {
  return {
      make_scheme<VarianceScaling>(
          "variance_scaling",
          "variance scale/n, n = fan_in|fan_out|fan_avg (>= 1): truncated "
          "N(0, (sqrt(scale/n)/0.8796)^2) cut at +-2 std, N(0, scale/n), or "
          "U(+-sqrt(3*scale/n)) (Keras/JAX VarianceScaling)",
          {ArgSpec::number("scale", 1.0, "target variance times n")
               .greater_than(0.0),
           ArgSpec::choice(
               "mode",
               "fan_in",
               {"fan_in", "fan_out", "fan_avg"},
               "n: fan_in, fan_out or (fan_in + fan_out) / 2")
               .ignore_case(),
           ArgSpec::choice(
               "distribution",
               "truncated_normal",
               {"truncated_normal", "untruncated_normal", "uniform"},
               "distribution of the values")
               .ignore_case()},
          true),
      make_scheme<VarianceScaling>(
          "lecun_uniform",
          "U(-b, b), b = sqrt(3/fan_in) (LeCun et al. 1998; Keras "
          "LecunUniform = variance_scaling(1, fan_in, uniform))",
          {},
          true,
          Draw::Uniform),
      make_scheme<VarianceScaling>(
          "lecun_normal",
          "truncated N(0, std^2) cut at +-2 std, std = sqrt(1/fan_in)/0.8796 "
          "(Keras LecunNormal = variance_scaling(1, fan_in, truncated_normal))",
          {},
          true,
          Draw::TruncatedNormal),
  };
}

}  // namespace initforge::plugins
