// SPDX-License-Identifier: Apache-2.0
// The SGD element loop: the AVX2 variant gives the scalar variant's bits
// for every combination of weight decay, momentum, first step and Nesterov,
// and the scalar variant follows torch.optim.SGD's formulas.
#include "framework/train/sgd_kernel.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace initforge::train_detail {
namespace {

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
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    GTEST_SKIP() << "this CPU has no AVX2+FMA";
  }
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

TEST(SgdKernel, ScalarFollowsTorchFormulas) {
  Buffers b = random_buffers(64, 3);
  const Buffers before = b;
  const SgdStep s = step_for(b, true, true, false, true);
  sgd_step_scalar(s);
  for (std::size_t i = 0; i < b.param.size(); ++i) {
    const float d = std::fma(s.weight_decay, before.param[i], before.grad[i]);
    const float buf =
        std::fma(s.one_minus_dampening, d, before.momentum[i] * s.momentum);
    const float update = std::fma(s.momentum, buf, d);
    EXPECT_EQ(b.momentum[i], buf) << i;
    EXPECT_EQ(b.param[i], std::fma(s.neg_lr, update, before.param[i])) << i;
  }
}

TEST(SgdKernel, FirstStepTakesTheGradientAsBuffer) {
  Buffers b = random_buffers(33, 5);
  const Buffers before = b;
  sgd_step(step_for(b, false, true, true, false));
  for (std::size_t i = 0; i < b.param.size(); ++i) {
    EXPECT_EQ(b.momentum[i], before.grad[i]) << i;
    EXPECT_EQ(b.param[i], std::fma(-0.05f, before.grad[i], before.param[i]));
  }
}

}  // namespace
}  // namespace initforge::train_detail
