// SPDX-License-Identifier: Apache-2.0
// Optimizers against torch.optim 1.13 bit for bit (tests/data/optim_golden,
// written by tools/golden/make_optim_golden.py), their state, their checks
// and the LR schedules.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/train/adam.h"
#include "framework/train/lr_schedule.h"
#include "framework/train/sgd.h"

#include "tests/testing/torch_golden.h"
#include "tests/train/golden_json.h"
#include "tests/train/optim_golden.h"

namespace initforge {
namespace {

using testing::bit_mismatch;
using ::testing::HasSubstr;
using testing::optim_golden;

testing::TorchGolden& golden() {
  return testing::optim_golden_data();
}

std::vector<float> golden_values(const nlohmann::json& ref) {
  return testing::optim_golden_values(ref);
}

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

// Runs golden step k on `p` (parameter name "w").
void run_step(Optimizer& opt, std::vector<float>& p, std::size_t k) {
  std::vector<float> g = golden_values(golden().manifest()["grads"][k]);
  const Shape s{static_cast<std::int64_t>(p.size())};
  std::vector<ParamSlot> slots{{"w", TensorView(p, s), ConstTensorView(g, s)}};
  opt.step(slots);
}

const nlohmann::json& cases() {
  return testing::optim_golden_cases();
}

TEST(Optimizer, GoldenMeetsTheAvx2BodyAndTheScalarTail) {
  // Odd and >= 1003: whole 8-float vectors and a remainder.
  const std::size_t n = golden().manifest()["n"];
  EXPECT_GE(n, 1003u);
  EXPECT_NE(n % 8, 0u);
  EXPECT_EQ(golden_values(golden().manifest()["initial"]).size(), n);
  EXPECT_GE(golden().manifest()["grads"].size(), 5u);
}

TEST(Optimizer, TrajectoriesAndStateMatchTorchBitForBit) {
  for (const auto& spec : cases()) {
    const std::string name = spec["name"];
    SCOPED_TRACE(name);
    std::unique_ptr<Optimizer> opt = make(spec);
    std::vector<float> p = golden_values(golden().manifest()["initial"]);
    bool same = true;
    for (std::size_t k = 0; same && k < spec["params"].size(); ++k) {
      run_step(*opt, p, k);
      const std::string diff =
          bit_mismatch(p, golden().values(spec["params"][k]));
      EXPECT_EQ(diff, "") << "parameter after step " << k + 1;
      same = diff.empty();
    }
    if (!same) continue;  // the state differs too; one message is enough
    const OptimizerState st = opt->state();
    std::size_t buffers = 0;
    for (const auto& [buffer, ref] : spec["state"].items()) {
      ASSERT_TRUE(st.contains("w/" + buffer)) << buffer;
      EXPECT_EQ(
          bit_mismatch(st.at("w/" + buffer).span(), golden().values(ref)), "")
          << buffer;
      ++buffers;
    }
    // Adam's step count is the one buffer torch keeps as a scalar tensor.
    if (st.contains("w/step")) {
      EXPECT_EQ(
          st.at("w/step").span()[0], static_cast<float>(spec["params"].size()));
      ++buffers;
    }
    EXPECT_EQ(st.size(), buffers);
  }
}

// SGD's four options make 16 combinations; the 6 with nesterov and
// momentum 0 or dampening != 0 are refused (as torch.optim.SGD), the 10
// others are all in the golden.
TEST(Optimizer, GoldenCoversEverySgdCombination) {
  int valid = 0;
  for (int flags = 0; flags < 16; ++flags) {
    const SgdOptions o{
        .lr = 0.1,
        .momentum = flags & 1 ? 0.9 : 0.0,
        .dampening = flags & 2 ? 0.3 : 0.0,
        .weight_decay = flags & 4 ? 0.01 : 0.0,
        .nesterov = (flags & 8) != 0};
    SCOPED_TRACE(flags);
    if (o.nesterov && (o.momentum == 0.0 || o.dampening != 0.0)) {
      EXPECT_THROW(Sgd{o}, InvalidArgument);
      continue;
    }
    ++valid;
    int found = 0;
    for (const auto& spec : cases()) {
      const auto& j = spec["options"];
      found += spec["type"] == "sgd" && j["momentum"] == o.momentum &&
               j["dampening"] == o.dampening &&
               j["weight_decay"] == o.weight_decay &&
               j["nesterov"] == o.nesterov;
    }
    EXPECT_EQ(found, 1);
  }
  EXPECT_EQ(valid, 10);
}

TEST(Optimizer, GoldenCoversEveryAdamVariant) {
  for (const std::string type : {"adam", "adamw"}) {
    for (const double wd : {0.0, 0.05}) {
      for (const bool amsgrad : {false, true}) {
        int found = 0;
        for (const auto& spec : cases()) {
          const auto& j = spec["options"];
          found += spec["type"] == type && j["weight_decay"] == wd &&
                   j["amsgrad"] == amsgrad;
        }
        EXPECT_EQ(found, 1) << type << " wd " << wd << " amsgrad " << amsgrad;
      }
    }
  }
}

TEST(Optimizer, ResumeFromStateMatchesUninterruptedRun) {
  for (const auto& spec : cases()) {
    const std::string name = spec["name"];
    SCOPED_TRACE(name);
    const std::size_t steps = spec["params"].size();
    std::vector<float> a = golden_values(golden().manifest()["initial"]);
    std::vector<float> b = a;
    auto full = make(spec);
    for (std::size_t k = 0; k < steps; ++k) run_step(*full, a, k);
    auto first = make(spec);
    for (std::size_t k = 0; k < 2; ++k) run_step(*first, b, k);
    OptimizerState saved = first->state();
    auto second = make(spec);
    second->load_state(saved);
    for (std::size_t k = 2; k < steps; ++k) run_step(*second, b, k);
    EXPECT_EQ(bit_mismatch(b, a), "");
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
