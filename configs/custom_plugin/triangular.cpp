// SPDX-License-Identifier: Apache-2.0
// An initializer plugin outside the initforge tree: "triangular", weights
// from the symmetric triangular distribution on [-c, c] with the variance of
// LeCun/He init, gain^2 / fan_in (Var = c^2 / 6, so c = gain * sqrt(6 /
// fan_in)). One uniform draw per element, turned into a triangular value by
// the inverse CDF (Devroye, Non-Uniform Random Variate Generation, 1986):
//   x = c * (sqrt(2u) - 1)        for u < 1/2
//   x = c * (1 - sqrt(2 - 2u))    otherwise,   u ~ U[0, 1).
#include <cmath>
#include <memory>

#include "framework/plugin/plugin.h"

using namespace initforge;

namespace {

class Triangular final : public Initializer {
 public:
  explicit Triangular(const Args& args) : gain_(args.number("gain")) {}

  // Refuses, before anything is allocated, a tensor without fans.
  void check(const ParamInfo& param) const override {
    param.require_fans();
  }

  void fill(TensorView dst, const FillContext& ctx) const override {
    const double c = half_width(ctx.param);
    ctx.gen.uniform(dst.data(), 0.0, 1.0);  // element i depends on i alone
    for (float& x : dst.data()) {
      const double u = x;
      x = static_cast<float>(
          u < 0.5 ? c * (std::sqrt(2.0 * u) - 1.0)
                  : c * (1.0 - std::sqrt(2.0 - 2.0 * u)));
    }
  }

 private:
  double half_width(const ParamInfo& param) const {
    const std::int64_t fan_in = param.require_fans().fan_in;
    return fan_in > 0 ? gain_ * std::sqrt(6.0 / fan_in) : 0.0;
  }

  double gain_;
};

}  // namespace

INITFORGE_PLUGIN(registrar) {
  registrar.add({
      .name = "triangular",
      .doc = "symmetric triangular on [-c, c], c = gain * sqrt(6 / fan_in): "
             "variance gain^2 / fan_in",
      .args = {ArgSpec::number("gain", 1.0, "multiplies the std 1/sqrt(fan_in)")
                   .at_least(0.0)},
      .elementwise = true,
      .create = [](const Args& args) -> std::unique_ptr<Initializer> {
        return std::make_unique<Triangular>(args);
      },
  });
}
