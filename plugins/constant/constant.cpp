// SPDX-License-Identifier: Apache-2.0
// initforge_constant: constant, ones, zeros (here) and eye, dirac
// (structured.cpp). No randomness: the generator is never touched.

#include <algorithm>

#include "plugins/common/scheme_util.h"
#include "plugins/constant/structured.h"

namespace initforge::plugins {
namespace {

class Constant final : public Initializer {
 public:
  // ones and zeros take no arguments: they pass their value as `fixed`.
  Constant(const Args& args, double fixed)
      : value_(args.has("val") ? args.number("val") : fixed) {
    if (std::fabs(value_) > std::numeric_limits<float>::max()) {
      throw ArgumentError(
          "val",
          "constant: " + expected_got(
                             "a value representable as float32",
                             "val=" + format_double(value_)));
    }
  }
  void fill(TensorView dst, const FillContext& /*ctx*/) const override {
    std::ranges::fill(dst.data(), static_cast<float>(value_));
  }
  Target target(const ParamInfo& /*param*/) const override {
    return Target::constant(static_cast<float>(value_));
  }

 private:
  double value_;
};

}  // namespace
}  // namespace initforge::plugins

INITFORGE_PLUGIN(registrar) {
  using initforge::ArgSpec;
  using namespace initforge::plugins;
  registrar.add(make_scheme<Constant>(
      "constant",
      "every value = val (torch.nn.init.constant_)",
      {ArgSpec::required_number("val", "the value, as float32")},
      true,
      0.0));
  registrar.add(make_scheme<Constant>(
      "ones", "every value = 1 (torch.nn.init.ones_)", {}, true, 1.0));
  registrar.add(make_scheme<Constant>(
      "zeros", "every value = 0 (torch.nn.init.zeros_)", {}, true, 0.0));
  registrar.add(eye_scheme());
  registrar.add(dirac_scheme());
}
