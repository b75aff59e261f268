// SPDX-License-Identifier: Apache-2.0
// The SGD element loop: both variants (scalar, AVX2) give torch.optim.SGD's
// bits on the golden, and the same bits as each other for every combination
// of weight decay, momentum, first step and Nesterov; sgd_step runs AVX2
// where the CPU has it.
#include "framework/train/sgd_kernel.h"

#include <cstdint>
#include <cstring>
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
  std::vector<float> param, grad, momentum;
};

Buffers random_buffers(std::int64_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Buffers b{
      std::vector<float>(n), std::vector<float>(n), std::vector<float>(n)};
  for (std::int64_t i = 0; i < n; ++i) {
    b.param[i] = normal(rng);
    b.grad[i] = normal(rng);
    b.momentum[i] = normal(rng);
  }
  return b;
}

SgdStep step_for(Buffers& b, bool decay, bool momentum, bool first, bool nest) {
  return SgdStep{
      .param = b.param.data(),
      .grad = b.grad.data(),
      .momentum_buffer = momentum ? b.momentum.data() : nullptr,
      .n = static_cast<std::int64_t>(b.param.size()),
      .weight_decay = decay ? 1e-3f : 0.0f,
      .momentum = 0.9f,
      .one_minus_dampening = 0.75f,
      .neg_lr = -0.05f,
      .first = first,
      .nesterov = nest};
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(SgdKernel, Avx2MatchesScalarBitForBit) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  for (int flags = 0; flags < 16; ++flags) {
    const bool decay = flags & 1, momentum = flags & 2, first = flags & 4,
               nest = flags & 8;
    // 1003: a length that leaves a remainder after every vector width.
    Buffers scalar = random_buffers(1003, 7 + flags);
    Buffers avx2 = scalar;
    sgd_step_scalar(step_for(scalar, decay, momentum, first, nest));
    sgd_step_avx2(step_for(avx2, decay, momentum, first, nest));
    EXPECT_TRUE(same_bits(scalar.param, avx2.param)) << "flags " << flags;
    EXPECT_TRUE(same_bits(scalar.momentum, avx2.momentum)) << "flags " << flags;
  }
}

// Every SGD case of the golden through one variant, from the initial value:
// the parameter after each step and the final momentum buffer.
void expect_golden(SgdKernel kernel) {
  const nlohmann::json& m = optim_golden_data().manifest();
  int cases = 0;
  for (const auto& spec : optim_golden_cases()) {
    if (spec["type"] != "sgd") continue;
    ++cases;
    const std::string name = spec["name"];
    SCOPED_TRACE(name);
    const auto& o = spec["options"];
    std::vector<float> p = optim_golden_values(m["initial"]);
    std::vector<float> buf(p.size());
    for (std::size_t k = 0; k < spec["params"].size(); ++k) {
      const std::vector<float> g = optim_golden_values(m["grads"][k]);
      SgdStep s = sgd_step_for(
          o["lr"],
          o["momentum"],
          o["dampening"],
          o["weight_decay"],
          o["nesterov"]);
      s.param = p.data();
      s.grad = g.data();
      s.momentum_buffer = o["momentum"] != 0.0 ? buf.data() : nullptr;
      s.n = static_cast<std::int64_t>(p.size());
      s.first = k == 0;
      kernel(s);
      const std::string diff =
          bit_mismatch(p, optim_golden_data().values(spec["params"][k]));
      ASSERT_EQ(diff, "") << "parameter after step " << k + 1;
    }
    if (spec["state"].contains("momentum_buffer")) {
      EXPECT_EQ(
          bit_mismatch(
              buf,
              optim_golden_data().values(spec["state"]["momentum_buffer"])),
          "");
    }
  }
  EXPECT_EQ(cases, 10);
}

TEST(SgdKernel, ScalarMatchesTorchGolden) {
  expect_golden(sgd_step_scalar);
}

TEST(SgdKernel, Avx2MatchesTorchGolden) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  expect_golden(sgd_step_avx2);
}

TEST(SgdKernel, DispatchRunsAvx2WhereTheCpuHasIt) {
  EXPECT_EQ(
      sgd_step_kernel(),
      cpu_has_avx2_fma() ? &sgd_step_avx2 : &sgd_step_scalar);
}

}  // namespace
}  // namespace initforge::train_detail
