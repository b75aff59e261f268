// SPDX-License-Identifier: Apache-2.0
// xavier_* and kaiming_*. The doubles (std, bound) are computed with
// torch/nn/init.py's exact operations, in the same order: the torch generator
// reproduces PyTorch bit for bit only if they are identical.

#include <cmath>

#include "plugins/common/scheme_util.h"
#include "plugins/variance_scaling/fan_scaled.h"

namespace initforge::plugins {
namespace {

class Xavier final : public FanScaled {
 public:
  Xavier(const Args& args, Draw kind, const char* name)
      : FanScaled(kind), name_(name), gain_(args.number("gain")) {}

 protected:
  double spread(const ParamInfo& param) const override {
    const Fans fans = param.require_fans();
    const std::int64_t sum = fans.fan_in + fans.fan_out;
    if (sum == 0) {  // PyTorch: ZeroDivisionError
      throw InvalidArgument(
          std::string(name_) + ": fan_in + fan_out is 0, std undefined" +
          got_shape(param.shape));
    }
    const double std = gain_ * std::sqrt(2.0 / static_cast<double>(sum));
    return draw() == Draw::Uniform ? std::sqrt(3.0) * std : std;
  }

 private:
  const char* name_;
  double gain_;
};

class Kaiming final : public FanScaled {
 public:
  Kaiming(const Args& args, Draw kind, const char* name)
      : FanScaled(kind),
        name_(name),
        gain_(calculate_gain(args.string("nonlinearity"), args.number("a"))),
        mode_(parse_fan_mode(args.string("mode"))) {}

 protected:
  // PyTorch returns before the fan check ("Initializing zero-element tensors
  // is a no-op"), so a [0] or [0, 3] parameter is fine, a [] one is not.
  bool skips(const ParamInfo& param) const override {
    return has_zero_dim(param.shape);
  }
  double spread(const ParamInfo& param) const override {
    const std::int64_t fan = select_fan(param.require_fans(), mode_);
    if (fan == 0) {  // only reachable through a bias's owner fans
      throw InvalidArgument(
          std::string(name_) + ": the selected fan is 0, std undefined" +
          got_shape(param.shape));
    }
    const double std = gain_ / std::sqrt(static_cast<double>(fan));
    return draw() == Draw::Uniform ? std::sqrt(3.0) * std : std;
  }

 private:
  const char* name_;
  double gain_;
  FanMode mode_;
};

std::vector<ArgSpec> kaiming_args() {
  std::vector<std::string> nonlinearities(
      nonlinearity_names().begin(), nonlinearity_names().end());
  return {
      ArgSpec::number(
          "a", 0.0, "negative slope of the rectifier after this layer"),
      ArgSpec::choice(
          "mode", "fan_in", {"fan_in", "fan_out"}, "fan that keeps variance")
          .ignore_case(),
      ArgSpec::choice(
          "nonlinearity",
          "leaky_relu",
          std::move(nonlinearities),
          "nonlinearity for calculate_gain (with param a)")};
}

ArgSpec gain_arg() {
  return ArgSpec::number("gain", 1.0, "scaling factor").at_least(0.0);
}

}  // namespace

std::vector<SchemeInfo> torch_schemes() {
  return {
      make_scheme<Xavier>(
          "xavier_uniform",
          "U(-b, b), b = gain*sqrt(6/(fan_in+fan_out)) (Glorot & Bengio "
          "2010; torch.nn.init.xavier_uniform_)",
          {gain_arg()},
          true,
          Draw::Uniform,
          "xavier_uniform"),
      make_scheme<Xavier>(
          "xavier_normal",
          "N(0, std^2), std = gain*sqrt(2/(fan_in+fan_out)) (Glorot & Bengio "
          "2010; torch.nn.init.xavier_normal_)",
          {gain_arg()},
          true,
          Draw::Normal,
          "xavier_normal"),
      make_scheme<Kaiming>(
          "kaiming_uniform",
          "U(-b, b), b = gain*sqrt(3/fan), gain = calculate_gain(nonlinearity, "
          "a) (He et al. 2015; torch.nn.init.kaiming_uniform_)",
          kaiming_args(),
          true,
          Draw::Uniform,
          "kaiming_uniform"),
      make_scheme<Kaiming>(
          "kaiming_normal",
          "N(0, std^2), std = gain/sqrt(fan), gain = calculate_gain("
          "nonlinearity, a) (He et al. 2015; torch.nn.init.kaiming_normal_)",
          kaiming_args(),
          true,
          Draw::Normal,
          "kaiming_normal"),
  };
}

}  // namespace initforge::plugins
