// SPDX-License-Identifier: Apache-2.0
// initforge_random: uniform, normal, trunc_normal (torch.nn.init names, args
// and defaults). Each is one bulk Generator call, so shards fill alone.

#include "plugins/common/scheme_util.h"

namespace initforge::plugins {
namespace {

class Uniform final : public Initializer {
 public:
  explicit Uniform(const Args& args)
      : a_(args.number("a")), b_(args.number("b")) {
    check_interval("uniform", a_, b_);
  }
  void fill(TensorView dst, const FillContext& ctx) const override {
    ctx.gen.uniform(dst.data(), a_, b_);
  }
  Target target(const ParamInfo& /*param*/) const override {
    return Target::uniform(a_, b_);
  }

 private:
  double a_, b_;
};

class Normal final : public Initializer {
 public:
  explicit Normal(const Args& args)
      : mean_(args.number("mean")), std_(args.number("std")) {}
  void fill(TensorView dst, const FillContext& ctx) const override {
    ctx.gen.normal(dst.data(), mean_, std_);
  }
  Target target(const ParamInfo& /*param*/) const override {
    return Target::normal(mean_, std_);
  }

 private:
  double mean_, std_;
};

class TruncNormal final : public Initializer {
 public:
  explicit TruncNormal(const Args& args)
      : mean_(args.number("mean")),
        std_(args.number("std")),
        a_(args.number("a")),
        b_(args.number("b")) {
    if (a_ > b_) {
      throw ArgumentError(
          "a",
          "trunc_normal: " +
              expected_got(
                  "a <= b",
                  "a=" + format_double(a_) + " > b=" + format_double(b_)));
    }
  }
  void fill(TensorView dst, const FillContext& ctx) const override {
    ctx.gen.truncated_normal(dst.data(), mean_, std_, a_, b_);
  }
  Target target(const ParamInfo& /*param*/) const override {
    return Target::truncated_normal(mean_, std_, a_, b_);
  }

 private:
  double mean_, std_, a_, b_;
};

}  // namespace
}  // namespace initforge::plugins

INITFORGE_PLUGIN(registrar) {
  using initforge::ArgSpec;
  using namespace initforge::plugins;
  registrar.add(make_scheme<Uniform>(
      "uniform",
      "U(a, b): every value uniform on [a, b) (torch.nn.init.uniform_)",
      {ArgSpec::number("a", 0.0, "lower bound (inclusive)"),
       ArgSpec::number("b", 1.0, "upper bound; a <= b")},
      true));
  registrar.add(make_scheme<Normal>(
      "normal",
      "N(mean, std^2) (torch.nn.init.normal_); std = 0 fills mean",
      {ArgSpec::number("mean", 0.0, "mean of the normal"),
       ArgSpec::number("std", 1.0, "standard deviation").at_least(0.0)},
      true));
  registrar.add(make_scheme<TruncNormal>(
      "trunc_normal",
      "N(mean, std^2) restricted to [a, b], absolute bounds, inverse-CDF "
      "sampling then clamp (torch.nn.init.trunc_normal_)",
      {ArgSpec::number("mean", 0.0, "mean of the untruncated normal"),
       ArgSpec::number("std", 1.0, "std of the untruncated normal")
           .greater_than(0.0),
       ArgSpec::number("a", -2.0, "lower cut-off (absolute value)"),
       ArgSpec::number("b", 2.0, "upper cut-off (absolute value); a <= b")},
      true));
}
