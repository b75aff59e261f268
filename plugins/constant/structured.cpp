// SPDX-License-Identifier: Apache-2.0
// eye and dirac. Both are elementwise: a shard [offset, offset + n) is zeroed
// and gets the ones whose flat index falls inside it.

#include "plugins/constant/structured.h"

#include <algorithm>

#include "plugins/common/scheme_util.h"

namespace initforge::plugins {
namespace {

// Sets dst[index - offset] = 1 when index lies in the shard.
void set_one(std::span<float> dst, std::int64_t offset, std::int64_t index) {
  const std::int64_t local = index - offset;
  if (local >= 0 && local < static_cast<std::int64_t>(dst.size())) {
    dst[static_cast<std::size_t>(local)] = 1.0F;
  }
}

class Eye final : public Initializer {
 public:
  explicit Eye(const Args& /*args*/) {}
  void check(const ParamInfo& param) const override {
    if (param.shape.rank() != 2) {
      throw InvalidArgument(
          "eye: Only tensors with 2 dimensions are supported" +
          got_shape(param.shape));
    }
  }
  void fill(TensorView dst, const FillContext& ctx) const override {
    check(ctx.param);
    require_in_param("eye", dst, ctx);
    std::ranges::fill(dst.data(), 0.0F);
    const std::int64_t rows = ctx.param.shape[0], cols = ctx.param.shape[1];
    // Diagonal element d sits at flat index d * (cols + 1).
    const std::int64_t end = ctx.offset + dst.numel();
    for (std::int64_t d = ctx.offset / (cols + 1);
         d < std::min(rows, cols) && d * (cols + 1) < end;
         ++d) {
      set_one(dst.data(), ctx.offset, d * (cols + 1));
    }
  }
};

class Dirac final : public Initializer {
 public:
  explicit Dirac(const Args& args) : groups_(args.integer("groups")) {}
  void check(const ParamInfo& param) const override {
    const Shape& shape = param.shape;
    if (shape.rank() < 3 || shape.rank() > 5) {
      throw InvalidArgument(
          "dirac: Only tensors with 3, 4, or 5 dimensions are supported" +
          got_shape(shape));
    }
    if (shape[0] % groups_ != 0) {
      throw InvalidArgument(with_got(
          "dirac: dim 0 must be divisible by groups",
          "dim 0 = " + std::to_string(shape[0]) + ", groups = " +
              std::to_string(groups_) + ", shape " + shape.to_string()));
    }
  }
  void fill(TensorView dst, const FillContext& ctx) const override {
    check(ctx.param);
    require_in_param("dirac", dst, ctx);
    std::ranges::fill(dst.data(), 0.0F);
    const Shape& shape = ctx.param.shape;
    // Row-major strides; the ones sit at [g*opg + d, d, k2/2, k3/2, k4/2].
    std::int64_t stride1 = 1, centre = 0;
    for (std::size_t axis = shape.rank() - 1; axis >= 2; --axis) {
      centre += (shape[axis] / 2) * stride1;
      stride1 *= shape[axis];
    }
    const std::int64_t stride0 = stride1 * shape[1];
    const std::int64_t out_per_group = shape[0] / groups_;
    const std::int64_t ones = std::min(out_per_group, shape[1]);
    for (std::int64_t g = 0; g < groups_; ++g) {
      for (std::int64_t d = 0; d < ones; ++d) {
        const std::int64_t index =
            (g * out_per_group + d) * stride0 + d * stride1 + centre;
        set_one(dst.data(), ctx.offset, index);
      }
    }
  }

 private:
  std::int64_t groups_;
};

}  // namespace

SchemeInfo eye_scheme() {
  return make_scheme<Eye>(
      "eye",
      "2-D identity: 1 where row == column, else 0; rectangular allowed "
      "(torch.nn.init.eye_)",
      {},
      true);
}

SchemeInfo dirac_scheme() {
  return make_scheme<Dirac>(
      "dirac",
      "identity kernel for Conv1d/2d/3d weights: 1 at [g*out/groups + d, d, "
      "centre] for d < min(out/groups, in) (torch.nn.init.dirac_)",
      {ArgSpec::integer("groups", 1, "number of groups; divides dim 0")
           .at_least(1)},
      true);
}

}  // namespace initforge::plugins
