// SPDX-License-Identifier: Apache-2.0
#pragma once

// The variance-scaling family: zero-mean draws whose spread is computed, in
// double exactly as the reference does, from the parameter's fans.

#include "framework/plugin/plugin.h"

namespace initforge::plugins {

/// The distribution a FanScaled scheme draws from.
enum class Draw {
  Uniform,          // U(-s, s), s the bound
  Normal,           // N(0, s^2)
  TruncatedNormal,  // N(0, s^2) cut at +-2s (Keras/JAX)
};

/// Base of every fan-dependent scheme: one bulk Generator call per fill.
class FanScaled : public Initializer {
 public:
  explicit FanScaled(Draw kind) : draw_(kind) {}

  void check(const ParamInfo& param) const override {
    if (!skips(param)) static_cast<void>(spread(param));
  }

  void fill(TensorView dst, const FillContext& ctx) const override {
    if (skips(ctx.param)) return;
    const double s = spread(ctx.param);
    switch (draw_) {
      case Draw::Uniform:
        ctx.gen.uniform(dst.data(), -s, s);
        return;
      case Draw::Normal:
        ctx.gen.normal(dst.data(), 0.0, s);
        return;
      case Draw::TruncatedNormal:
        ctx.gen.truncated_normal(dst.data(), 0.0, s, -2.0 * s, 2.0 * s);
        return;
    }
  }

  Target target(const ParamInfo& param) const override {
    if (skips(param)) return Target::unknown();
    const double s = spread(param);
    switch (draw_) {
      case Draw::Uniform:
        return Target::uniform(-s, s);
      case Draw::Normal:
        return Target::normal(0.0, s);
      case Draw::TruncatedNormal:
        return Target::truncated_normal(0.0, s, -2.0 * s, 2.0 * s);
    }
    return Target::unknown();
  }

 protected:
  Draw draw() const {
    return draw_;
  }

  /// The bound (Uniform) or std (normals); throws InvalidArgument when the
  /// parameter has no usable fans.
  virtual double spread(const ParamInfo& param) const = 0;

  /// True when filling this parameter is a documented no-op.
  virtual bool skips(const ParamInfo& /*param*/) const {
    return false;
  }

 private:
  Draw draw_;
};

/// xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal (PyTorch
/// semantics; torch_schemes.cpp).
std::vector<SchemeInfo> torch_schemes();

/// variance_scaling, lecun_uniform, lecun_normal (Keras/JAX semantics;
/// keras_schemes.cpp).
std::vector<SchemeInfo> keras_schemes();

}  // namespace initforge::plugins
