// SPDX-License-Identifier: Apache-2.0
// initforge_lsuv: layer-sequential unit-variance initialization (Mishkin &
// Matas 2015, "All you need is a good init"). A data-dependent scheme: fill()
// is the orthogonal pre-initialization (torch.nn.init.orthogonal_, gain 1);
// calibrate() then rescales the weight until the owning layer's output on
// the calibration batch has variance target_var +- tol.

#include <cmath>
#include <cstdio>
#include <string>

#include "plugins/common/orthogonal_fill.h"
#include "plugins/common/scheme_util.h"

namespace initforge::plugins {
namespace {

// Variance over every element of a layer's output (batch included), as
// the paper's np.var of the output blob: population variance, in double.
double output_variance(ConstTensorView out) {
  const std::span<const float> v = out.data();
  if (v.empty()) return 0.0;
  double sum = 0.0;
  for (const float x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double sq = 0.0;
  for (const float x : v) sq += (x - mean) * (x - mean);
  return sq / static_cast<double>(v.size());
}

std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", x);
  return text;
}

class Lsuv final : public Initializer {
 public:
  explicit Lsuv(const Args& args)
      : tol_(args.number("tol")),
        max_iters_(args.integer("max_iters")),
        target_var_(args.number("target_var")) {}

  void check(const ParamInfo& param) const override {
    if (param.shape.rank() < 2) {
      throw InvalidArgument(
          "lsuv: rescales the weight of a layer with an output (Linear "
          "[out, in], Conv2d [out, in/groups, kh, kw]); " +
          param.path + " has " + std::to_string(param.shape.rank()) +
          " dimension(s), as a bias or a BatchNorm parameter has, and LSUV "
          "does not apply to it" +
          got_shape(param.shape));
    }
    check_orthogonal_shape("lsuv", param.shape);
  }

  void fill(TensorView dst, const FillContext& ctx) const override {
    check(ctx.param);
    require_whole("lsuv", dst, ctx);
    orthogonal_fill("lsuv", dst.data(), ctx.param.shape, ctx.gen, 1.0);
  }

  void calibrate(const CalibrationContext& ctx) const override {
    Calibration& model = ctx.model;
    const std::span<float> weight = model.param().data();
    double var = measure(model);
    const double start = var;
    std::int64_t iterations = 0;
    while (!converged(var) && iterations < max_iters_ && var > 0.0) {
      const auto scale = static_cast<float>(std::sqrt(target_var_ / var));
      for (float& w : weight) w *= scale;
      ++iterations;
      var = measure(model);
    }
    std::string line = "output var " + number(start) + " -> " + number(var) +
                       " after " + std::to_string(iterations) +
                       (iterations == 1 ? " iteration" : " iterations");
    if (converged(var)) {
      line += " (converged: within " + number(tol_) + " of " +
              number(target_var_) + ")";
    } else if (var == 0.0) {
      line += " (NOT converged: the output is constant, nothing to rescale)";
    } else {
      line += " (NOT converged within max_iters " + std::to_string(max_iters_) +
              ": |var - " + number(target_var_) + "| > " + number(tol_) + ")";
    }
    model.report(std::move(line));
  }

 private:
  bool converged(double var) const {
    return std::fabs(var - target_var_) <= tol_;
  }

  // The owning layer's output variance; a NaN or Inf is the data's fault
  // or a diverged rescale, and no number of iterations fixes it.
  double measure(Calibration& model) const {
    const double var = output_variance(model.layer_output());
    if (!std::isfinite(var)) {
      throw InvalidArgument(
          "lsuv: the output of layer " + model.layer() +
          " on the calibration batch has a non-finite variance (" +
          number(var) + ")");
    }
    return var;
  }

  double tol_;
  std::int64_t max_iters_;
  double target_var_;
};

}  // namespace
}  // namespace initforge::plugins

INITFORGE_PLUGIN(registrar) {
  using initforge::ArgSpec;
  initforge::SchemeInfo info =
      initforge::plugins::make_scheme<initforge::plugins::Lsuv>(
          "lsuv",
          "layer-sequential unit variance: orthogonal pre-init, then the "
          "weight is rescaled by 1/sqrt(var) until the layer's output "
          "variance on the calibration batch is target_var +- tol (Mishkin "
          "& Matas 2015)",
          {ArgSpec::number(
               "tol", 0.1, "stop when |output variance - target_var| <= tol")
               .greater_than(0.0),
           ArgSpec::integer("max_iters", 10, "at most this many rescales")
               .at_least(1.0),
           ArgSpec::number("target_var", 1.0, "output variance to reach")
               .greater_than(0.0)},
          false);
  info.data_dependent = true;
  registrar.add(std::move(info));
}
