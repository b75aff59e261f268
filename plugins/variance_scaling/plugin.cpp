// SPDX-License-Identifier: Apache-2.0
// initforge_variance_scaling: PyTorch's xavier_* and kaiming_*
// (torch_schemes.cpp), Keras/JAX variance_scaling and lecun_*
// (keras_schemes.cpp), and here the nn.Linear/nn.ConvNd bias default.

#include <cmath>

#include "plugins/common/scheme_util.h"
#include "plugins/variance_scaling/fan_scaled.h"

namespace initforge::plugins {
namespace {

// bound = 1/math.sqrt(fan_in) if fan_in > 0 else 0
// (nn.Linear.reset_parameters); a bias gets its weight's fans through
// ParamInfo::fans.
class FanInUniform final : public FanScaled {
 public:
  explicit FanInUniform(const Args& /*args*/) : FanScaled(Draw::Uniform) {}

 protected:
  double spread(const ParamInfo& param) const override {
    const std::int64_t fan_in = param.require_fans().fan_in;
    return fan_in > 0 ? 1 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  }
};

}  // namespace
}  // namespace initforge::plugins

INITFORGE_PLUGIN(registrar) {
  using namespace initforge::plugins;
  for (auto& scheme : torch_schemes()) registrar.add(std::move(scheme));
  for (auto& scheme : keras_schemes()) registrar.add(std::move(scheme));
  registrar.add(make_scheme<FanInUniform>(
      "fan_in_uniform",
      "U(-b, b), b = 1/sqrt(fan_in) (0 if fan_in = 0): PyTorch's "
      "nn.Linear/nn.ConvNd bias default, fan_in of the owning weight",
      {},
      true));
}
