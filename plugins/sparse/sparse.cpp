// SPDX-License-Identifier: Apache-2.0
// initforge_sparse: torch.nn.init.sparse_ (Martens 2010). N(0, std^2) over
// the whole matrix, then in each column ceil(sparsity * rows) rows, chosen by
// one random permutation per column, are set to zero.

#include <cmath>
#include <vector>

#include "plugins/common/scheme_util.h"

namespace initforge::plugins {
namespace {

class Sparse final : public Initializer {
 public:
  explicit Sparse(const Args& args)
      : sparsity_(args.number("sparsity")), std_(args.number("std")) {}

  void check(const ParamInfo& param) const override {
    if (param.shape.rank() != 2) {
      throw InvalidArgument(
          "sparse: Only tensors with 2 dimensions are supported" +
          got_shape(param.shape));
    }
  }

  void fill(TensorView dst, const FillContext& ctx) const override {
    check(ctx.param);
    require_whole("sparse", dst, ctx);
    const std::int64_t rows = ctx.param.shape[0], cols = ctx.param.shape[1];
    const auto zeros = static_cast<std::int64_t>(
        std::ceil(sparsity_ * static_cast<double>(rows)));
    const std::span<float> out = dst.data();
    ctx.gen.normal(out, 0.0, std_);
    std::vector<std::int64_t> perm(static_cast<std::size_t>(rows));
    for (std::int64_t col = 0; col < cols; ++col) {
      ctx.gen.permutation(perm);
      for (std::int64_t k = 0; k < zeros; ++k) {
        const std::int64_t row = perm[static_cast<std::size_t>(k)];
        out[static_cast<std::size_t>(row * cols + col)] = 0.0F;
      }
    }
  }

 private:
  double sparsity_;
  double std_;
};

}  // namespace
}  // namespace initforge::plugins

INITFORGE_PLUGIN(registrar) {
  using initforge::ArgSpec;
  registrar.add(initforge::plugins::make_scheme<initforge::plugins::Sparse>(
      "sparse",
      "N(0, std^2), then ceil(sparsity*rows) zeros per column at random rows; "
      "2-D only (Martens 2010; torch.nn.init.sparse_)",
      {ArgSpec::required_number("sparsity", "fraction of each column zeroed")
           .at_least(0.0)
           .at_most(1.0),
       ArgSpec::number("std", 0.01, "std of the non-zero values")
           .at_least(0.0)},
      false));
}
