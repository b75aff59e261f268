// SPDX-License-Identifier: Apache-2.0
// The Adam/AdamW element loop: both variants (scalar, AVX2) give
// torch.optim's bits on the golden, and the same bits as each other for
// every combination of weight decay, decoupling and amsgrad; adam_step runs
// AVX2 where the CPU has it.
#include "framework/train/adam_kernel.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/train/optim_golden.h"

namespace initforge::train_detail {
namespace {

using testing::bit_mismatch;
using testing::optim_golden_cases;
using testing::optim_golden_data;
using testing::optim_golden_values;

bool cpu_has_avx2_fma() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

struct Buffers {
  std::vector<float> param, grad, m, v, vmax;
};

Buffers random_buffers(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Buffers b{
      std::vector<float>(n),
      std::vector<float>(n),
      std::vector<float>(n),
      std::vector<float>(n),
      std::vector<float>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    b.param[i] = normal(rng);
    b.grad[i] = normal(rng);
    b.m[i] = 0.1f * normal(rng);
    b.v[i] = std::abs(0.1f * normal(rng));
    b.vmax[i] = std::abs(0.1f * normal(rng));
  }
  return b;
}

AdamStep step_for(Buffers& b, int flags) {
  AdamStep s = adam_step_for(
      0.01, 0.9, 0.999, 1e-8, flags & 1 ? 0.05 : 0.0, (flags & 2) != 0, 3.0);
  s.param = b.param.data();
  s.grad = b.grad.data();
  s.exp_avg = b.m.data();
  s.exp_avg_sq = b.v.data();
  s.max_exp_avg_sq = flags & 4 ? b.vmax.data() : nullptr;
  s.n = static_cast<std::int64_t>(b.param.size());
  return s;
}

TEST(AdamKernel, Avx2MatchesScalarBitForBit) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  for (int flags = 0; flags < 8; ++flags) {
    // 1003: a length that leaves a remainder after every vector width.
    Buffers scalar = random_buffers(1003, 11 + flags);
    Buffers avx2 = scalar;
    adam_step_scalar(step_for(scalar, flags));
    adam_step_avx2(step_for(avx2, flags));
    EXPECT_EQ(bit_mismatch(avx2.param, scalar.param), "") << flags;
    EXPECT_EQ(bit_mismatch(avx2.m, scalar.m), "") << flags;
    EXPECT_EQ(bit_mismatch(avx2.v, scalar.v), "") << flags;
    EXPECT_EQ(bit_mismatch(avx2.vmax, scalar.vmax), "") << flags;
  }
}

// Every Adam/AdamW case of the golden through one variant, from the initial
// value: the parameter after each step and the final state buffers.
void expect_golden(AdamKernel kernel) {
  const nlohmann::json& m = optim_golden_data().manifest();
  int cases = 0;
  for (const auto& spec : optim_golden_cases()) {
    if (spec["type"] == "sgd") continue;
    ++cases;
    const std::string name = spec["name"];
    SCOPED_TRACE(name);
    const auto& o = spec["options"];
    std::vector<float> p = optim_golden_values(m["initial"]);
    std::vector<float> exp_avg(p.size()), exp_avg_sq(p.size()),
        max_exp_avg_sq(p.size());
    for (std::size_t k = 0; k < spec["params"].size(); ++k) {
      const std::vector<float> g = optim_golden_values(m["grads"][k]);
      AdamStep s = adam_step_for(
          o["lr"],
          o.value("beta1", 0.9),
          o.value("beta2", 0.999),
          o.value("eps", 1e-8),
          o["weight_decay"],
          spec["type"] == "adamw",
          static_cast<double>(k + 1));
      s.param = p.data();
      s.grad = g.data();
      s.exp_avg = exp_avg.data();
      s.exp_avg_sq = exp_avg_sq.data();
      s.max_exp_avg_sq = o["amsgrad"] ? max_exp_avg_sq.data() : nullptr;
      s.n = static_cast<std::int64_t>(p.size());
      kernel(s);
      const std::string diff =
          bit_mismatch(p, optim_golden_data().values(spec["params"][k]));
      ASSERT_EQ(diff, "") << "parameter after step " << k + 1;
    }
    const auto& st = spec["state"];
    EXPECT_EQ(
        bit_mismatch(exp_avg, optim_golden_data().values(st["exp_avg"])), "");
    EXPECT_EQ(
        bit_mismatch(exp_avg_sq, optim_golden_data().values(st["exp_avg_sq"])),
        "");
    if (o["amsgrad"]) {
      EXPECT_EQ(
          bit_mismatch(
              max_exp_avg_sq, optim_golden_data().values(st["max_exp_avg_sq"])),
          "");
    }
  }
  EXPECT_EQ(cases, 8);
}

TEST(AdamKernel, ScalarMatchesTorchGolden) {
  expect_golden(adam_step_scalar);
}

TEST(AdamKernel, Avx2MatchesTorchGolden) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  expect_golden(adam_step_avx2);
}

// torch.maximum propagates NaN where std::fmax would drop it.
TEST(AdamKernel, AmsgradMaximumKeepsNaNAsTorch) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const AdamKernel kernel : {&adam_step_scalar, &adam_step_avx2}) {
    if (kernel == &adam_step_avx2 && !cpu_has_avx2_fma()) continue;
    Buffers b = random_buffers(19, 5);
    b.vmax[0] = nan;
    b.v[1] = nan;
    kernel(step_for(b, 4));
    EXPECT_TRUE(std::isnan(b.vmax[0]));
    EXPECT_TRUE(std::isnan(b.vmax[1]));
    EXPECT_FALSE(std::isnan(b.vmax[2]));
  }
}

TEST(AdamKernel, DispatchRunsAvx2WhereTheCpuHasIt) {
  EXPECT_EQ(
      adam_step_kernel(),
      cpu_has_avx2_fma() ? &adam_step_avx2 : &adam_step_scalar);
}

}  // namespace
}  // namespace initforge::train_detail
