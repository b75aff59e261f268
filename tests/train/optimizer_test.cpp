// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/train/adam.h"
#include "framework/train/lr_schedule.h"
#include "framework/train/sgd.h"

#include "tests/train/golden_json.h"

namespace initforge {
namespace {

using testing::floats;
using ::testing::HasSubstr;
using testing::optim_golden;

std::unique_ptr<Optimizer> make(const nlohmann::json& spec) {
  const auto& o = spec["options"];
  const std::string type = spec["type"];
  if (type == "sgd") {
    SgdOptions s;
    s.lr = o["lr"];
    s.momentum = o.value("momentum", 0.0);
    s.dampening = o.value("dampening", 0.0);
    s.weight_decay = o.value("weight_decay", 0.0);
    s.nesterov = o.value("nesterov", false);
    return std::make_unique<Sgd>(s);
  }
  AdamOptions a;
  a.lr = o["lr"];
  a.beta1 = o.value("beta1", 0.9);
  a.beta2 = o.value("beta2", 0.999);
  a.eps = o.value("eps", 1e-8);
  a.weight_decay = o.value("weight_decay", type == "adamw" ? 0.01 : 0.0);
  a.amsgrad = o.value("amsgrad", false);
  a.decoupled = type == "adamw";
  return std::make_unique<Adam>(a);
}

// Runs steps [from, to) of the golden gradients on `p`.
void run_steps(Optimizer& opt, std::vector<float>& p, int from, int to) {
  const auto& grads = optim_golden()["grads"];
  const Shape s{static_cast<std::int64_t>(p.size())};
  for (int k = from; k < to; ++k) {
    std::vector<float> g = floats(grads[static_cast<std::size_t>(k)]);
    std::vector<ParamSlot> slots{
        {"w", TensorView(p, s), ConstTensorView(g, s)}};
    opt.step(slots);
  }
}

TEST(Optimizer, TrajectoriesMatchTorchGolden) {
  for (const auto& [name, spec] : optim_golden()["optimizers"].items()) {
    SCOPED_TRACE(name);
    std::unique_ptr<Optimizer> opt = make(spec);
    std::vector<float> p = floats(optim_golden()["initial"]);
    int max_ulps = 0;
    for (std::size_t k = 0; k < spec["params"].size(); ++k) {
      run_steps(*opt, p, static_cast<int>(k), static_cast<int>(k) + 1);
      const std::vector<float> want = floats(spec["params"][k]);
      for (std::size_t i = 0; i < p.size(); ++i) {
        EXPECT_NEAR(p[i], want[i], 1e-6 * std::abs(want[i]))
            << "step " << k << " elem " << i;
        const int ulps = std::abs(
            std::bit_cast<std::int32_t>(p[i]) -
            std::bit_cast<std::int32_t>(want[i]));
        max_ulps = std::max(max_ulps, ulps);
      }
    }
    RecordProperty(name + "_max_ulps", max_ulps);
    std::printf("[ ulps ] %s max %d\n", name.c_str(), max_ulps);
  }
}

TEST(Optimizer, ResumeFromStateMatchesUninterruptedRun) {
  for (const auto& [name, spec] : optim_golden()["optimizers"].items()) {
    SCOPED_TRACE(name);
    std::vector<float> a = floats(optim_golden()["initial"]);
    std::vector<float> b = a;
    auto full = make(spec);
    run_steps(*full, a, 0, 5);
    auto first = make(spec);
    run_steps(*first, b, 0, 2);
    OptimizerState saved = first->state();
    auto second = make(spec);
    second->load_state(saved);
    run_steps(*second, b, 2, 5);
    EXPECT_EQ(a, b);
  }
}

TEST(Optimizer, StateNamesBuffersPerParameter) {
  Adam adam({.lr = 0.1, .amsgrad = true});
  std::vector<float> p(3, 1.0f), g(3, 0.5f);
  std::vector<ParamSlot> slots{
      {"fc.weight", TensorView(p, Shape{3}), ConstTensorView(g, Shape{3})}};
  adam.step(slots);
  adam.step(slots);
  const OptimizerState st = adam.state();
  ASSERT_EQ(st.size(), 4u);
  EXPECT_EQ(st.at("fc.weight/step").span()[0], 2.0f);
  EXPECT_EQ(st.at("fc.weight/exp_avg").shape(), Shape{3});
  EXPECT_TRUE(st.contains("fc.weight/exp_avg_sq"));
  EXPECT_TRUE(st.contains("fc.weight/max_exp_avg_sq"));
  Sgd plain({.lr = 0.1});
  plain.step(slots);
  EXPECT_TRUE(plain.state().empty());  // no momentum, no buffer (as PyTorch)
}

TEST(Optimizer, ThrowsWhenGradientOrStateShapeMismatches) {
  Sgd sgd({.lr = 0.1, .momentum = 0.9});
  std::vector<float> p(4), g(3);
  std::vector<ParamSlot> slots{
      {"w", TensorView(p, Shape{4}), ConstTensorView(g, Shape{3})}};
  EXPECT_THAT(
      [&] { sgd.step(slots); },
      ::testing::ThrowsMessage<ShapeError>(
          HasSubstr("parameter 'w' has shape")));
  OptimizerState bad;
  bad.emplace("w/momentum_buffer", Tensor::zeros(Shape{2}));
  sgd.load_state(bad);
  std::vector<float> g4(4);
  std::vector<ParamSlot> ok{
      {"w", TensorView(p, Shape{4}), ConstTensorView(g4, Shape{4})}};
  EXPECT_THAT(
      [&] { sgd.step(ok); },
      ::testing::ThrowsMessage<ShapeError>(
          HasSubstr("'w/momentum_buffer': expected shape")));
}

TEST(Optimizer, ThrowsWhenOptionsAreInvalid) {
  EXPECT_THAT(
      [] { Sgd({.lr = -1.0}); },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("lr expected")));
  EXPECT_THAT(
      [] { Sgd({.lr = 0.1, .momentum = -0.5}); },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("momentum expected >= 0")));
  EXPECT_THAT(
      [] { Sgd({.lr = 0.1, .weight_decay = -1.0}); },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("weight_decay expected")));
  EXPECT_THAT(
      [] { Sgd({.lr = 0.1, .nesterov = true}); },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("nesterov expects")));
  EXPECT_THAT(
      [] { Adam({.beta1 = 1.0}); },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("beta1 expected in [0, 1)")));
  EXPECT_THAT(
      [] { Adam({.beta2 = -0.1}); },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("beta2 expected")));
  EXPECT_THAT(
      [] { Adam({.eps = -1.0}); },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("eps expected")));
  EXPECT_THAT(
      [] { Adam({.weight_decay = -1.0}); },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("weight_decay expected")));
}

TEST(LrSchedule, MatchesTorchSchedulers) {
  const auto& s = optim_golden()["schedules"];
  const LrSchedule step = LrSchedule::step(
      s["step"]["base_lr"], s["step"]["step_size"], s["step"]["gamma"]);
  const LrSchedule cos = LrSchedule::cosine(
      s["cosine"]["base_lr"], s["cosine"]["t_max"], s["cosine"]["eta_min"]);
  for (std::int64_t e = 0; e < 10; ++e) {
    const double ws = s["step"]["lrs"][static_cast<std::size_t>(e)];
    const double wc = s["cosine"]["lrs"][static_cast<std::size_t>(e)];
    EXPECT_NEAR(step.lr_at(e), ws, 1e-12 * ws) << e;
    EXPECT_NEAR(cos.lr_at(e), wc, 1e-12 * wc) << e;
  }
  EXPECT_EQ(LrSchedule::constant(0.3).lr_at(7), 0.3);
}

TEST(LrSchedule, ThrowsWhenPeriodOrEpochIsInvalid) {
  EXPECT_THAT(
      [] { LrSchedule::step(0.1, 0, 0.5); },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("step_size expected > 0; got 0")));
  EXPECT_THAT(
      [] { LrSchedule::cosine(0.1, -2, 0.0); },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("T_max expected > 0; got -2")));
  EXPECT_THAT(
      [] { (void)LrSchedule::constant(0.1).lr_at(-1); },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("epoch expected >= 0")));
}

}  // namespace
}  // namespace initforge
