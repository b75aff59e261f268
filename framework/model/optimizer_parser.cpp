// SPDX-License-Identifier: Apache-2.0
#include <array>
#include <string>
#include <string_view>

#include "framework/core/error_text.h"
#include "framework/init/text.h"
#include "framework/model/train_parser.h"
#include "framework/model/typed_section.h"

namespace initforge {

namespace {

constexpr std::array<std::string_view, 5> kSgdKeys{
    "lr", "momentum", "dampening", "nesterov", "weight_decay"};
constexpr std::array<std::string_view, 5> kAdamKeys{
    "lr", "betas", "eps", "weight_decay", "amsgrad"};
constexpr std::array<TypeKeys, 3> kOptimizers{
    TypeKeys{"sgd", kSgdKeys},
    TypeKeys{"adam", kAdamKeys},
    TypeKeys{"adamw", kAdamKeys}};

double non_negative_number(const JsonCursor& c) {
  return c.number_if([](double v) { return v >= 0; }, "a number >= 0");
}

void read_sgd(const JsonCursor& c, OptimizerConfig& o) {
  // torch.optim.SGD 1.13 has no default learning rate (lr=required).
  o.lr = non_negative_number(
      c.require("lr", "a learning rate >= 0; torch.optim.SGD has no default"));
  if (const auto m = c.find("momentum")) o.momentum = non_negative_number(*m);
  // PyTorch does not range-check dampening; neither do we.
  if (const auto d = c.find("dampening")) o.dampening = d->number();
  if (const auto n = c.find("nesterov")) {
    o.nesterov = n->boolean();
    if (o.nesterov && (o.momentum <= 0 || o.dampening != 0)) {
      n->fail(with_got(
          "nesterov requires momentum > 0 and dampening = 0 (as "
          "torch.optim.SGD)",
          "momentum " + format_double(o.momentum) + ", dampening " +
              format_double(o.dampening)));
    }
  }
}

void read_adam(const JsonCursor& c, OptimizerConfig& o) {
  o.lr = 1e-3;  // torch.optim.Adam/AdamW's default
  if (const auto lr = c.find("lr")) o.lr = non_negative_number(*lr);
  if (const auto betas = c.find("betas")) {
    constexpr std::string_view kWhat = "[beta1, beta2], numbers in [0, 1)";
    betas->expect_array(kWhat);
    if (betas->size() != 2) betas->expected(kWhat);
    const auto beta = [](const JsonCursor& b) {
      return b.number_if(
          [](double v) { return v >= 0 && v < 1; }, "a number in [0, 1)");
    };
    o.beta1 = beta(betas->at(0));
    o.beta2 = beta(betas->at(1));
  }
  if (const auto eps = c.find("eps")) o.eps = non_negative_number(*eps);
  if (const auto ams = c.find("amsgrad")) o.amsgrad = ams->boolean();
}

}  // namespace

OptimizerConfig parse_optimizer(const JsonCursor& c) {
  OptimizerConfig o;
  o.pointer = c.pointer();
  const std::size_t type = parse_typed_section(c, kOptimizers, "the optimizer");
  if (type == 0) {
    o.kind = OptimizerKind::Sgd;
    read_sgd(c, o);
  } else {
    o.kind = type == 1 ? OptimizerKind::Adam : OptimizerKind::AdamW;
    read_adam(c, o);
    // AdamW decays by default (torch.optim.AdamW weight_decay=0.01).
    if (o.kind == OptimizerKind::AdamW) o.weight_decay = 0.01;
  }
  if (const auto wd = c.find("weight_decay")) {
    o.weight_decay = non_negative_number(*wd);
  }
  return o;
}

}  // namespace initforge
