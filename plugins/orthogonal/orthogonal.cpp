// SPDX-License-Identifier: Apache-2.0
// initforge_orthogonal: torch.nn.init.orthogonal_ (Saxe et al. 2013). The
// algorithm (plugins/common/orthogonal_fill.cpp) is PyTorch's, so with the
// same LAPACK the torch generator reproduces its bits.

#include "plugins/common/orthogonal_fill.h"
#include "plugins/common/scheme_util.h"

namespace initforge::plugins {
namespace {

class Orthogonal final : public Initializer {
 public:
  explicit Orthogonal(const Args& args) : gain_(args.number("gain")) {}

  void check(const ParamInfo& param) const override {
    check_orthogonal_shape("orthogonal", param.shape);
  }

  void fill(TensorView dst, const FillContext& ctx) const override {
    check(ctx.param);
    require_whole("orthogonal", dst, ctx);
    orthogonal_fill("orthogonal", dst.data(), ctx.param.shape, ctx.gen, gain_);
  }

 private:
  double gain_;
};

}  // namespace
}  // namespace initforge::plugins

INITFORGE_PLUGIN(registrar) {
  using initforge::ArgSpec;
  registrar.add(initforge::plugins::make_scheme<initforge::plugins::Orthogonal>(
      "orthogonal",
      "(semi-)orthogonal matrix from the QR of a normal matrix, sign-fixed, "
      "times gain; dims > 1 flattened (Saxe et al. 2013; "
      "torch.nn.init.orthogonal_)",
      {ArgSpec::number("gain", 1.0, "multiplier of the orthogonal matrix")},
      false));
}
