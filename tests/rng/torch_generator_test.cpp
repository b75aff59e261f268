// SPDX-License-Identifier: Apache-2.0
// The torch generator's contract: one shared stream, torch.manual_seed
// semantics, PyTorch's checks and messages, and independent re-derivations
// of the simple streams from std::mt19937.
#include "framework/core/rng/torch_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/core/generator.h"
#include "framework/core/rng/torch_kernels.h"
#include "framework/core/thread_count.h"

#include "tests/testing/torch_golden.h"

namespace initforge {
namespace {

using testing::bit_mismatch;

std::shared_ptr<Generator> torch_gen(std::uint64_t seed) {
  return make_torch_source(seed)->generator_for("layer.weight");
}

std::vector<float> uniforms(Generator& gen, std::size_t n) {
  std::vector<float> v(n);
  gen.uniform(v, 0.0, 1.0);
  return v;
}

// Runs `call` and returns the message of the InvalidArgument it throws.
template <class Call>
std::string invalid_argument_message(Call&& call) {
  try {
    call();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(no InvalidArgument thrown)";
}

TEST(TorchSource, HandsOutOneSharedStream) {
  auto source = make_torch_source(3);
  EXPECT_EQ(source->kind(), RngKind::Torch);
  EXPECT_EQ(source->seed(), 3U);
  const auto a = source->generator_for("fc1.weight");
  const auto b = source->generator_for("fc2.bias", 0);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(a->name(), "torch");
  // Interleaved draws through both handles continue one stream.
  std::vector<float> joined = uniforms(*a, 10);
  const std::vector<float> rest = uniforms(*b, 10);
  joined.insert(joined.end(), rest.begin(), rest.end());
  EXPECT_EQ(bit_mismatch(joined, uniforms(*torch_gen(3), 20)), "");
}

TEST(TorchSource, RefusesElementOffsets) {
  auto source = make_torch_source(3);
  const std::string msg = invalid_argument_message(
      [&] { source->generator_for("fc1.weight", 128); });
  EXPECT_NE(msg.find("fc1.weight"), std::string::npos) << msg;
  EXPECT_NE(msg.find("element 128"), std::string::npos) << msg;
  EXPECT_NE(msg.find("element_offset must be 0"), std::string::npos) << msg;
}

TEST(TorchSource, CreateWithTorchKindGivesTheTorchStream) {
  auto source = RandomSource::create(RngKind::Torch, 11);
  EXPECT_EQ(
      bit_mismatch(
          uniforms(*source->generator_for("w"), 50),
          uniforms(*torch_gen(11), 50)),
      "");
}

TEST(TorchGenerator, SeedUsesTheLow32Bits) {
  const auto base = uniforms(*torch_gen(7), 50);
  EXPECT_EQ(bit_mismatch(uniforms(*torch_gen(7 + (1ULL << 32)), 50), base), "");
  EXPECT_NE(bit_mismatch(uniforms(*torch_gen(8), 50), base), "");
}

TEST(TorchGenerator, RandomU32IsStdMt19937) {
  for (const auto* kernels :
       {&torch_rng::scalar_kernels(), &torch_rng::best_kernels()}) {
    for (std::uint64_t seed :
         {0ULL, 5489ULL, 0xffffffffULL, (1ULL << 40) + 3}) {
      auto gen = make_torch_generator(seed, *kernels);
      std::mt19937 ref(static_cast<std::uint32_t>(seed));
      // Sizes that start and end at every place in a 624-word state.
      for (std::size_t n : {1UL, 622UL, 1UL, 624UL, 625UL, 3000UL}) {
        std::vector<std::uint32_t> got(n);
        gen->random_u32(got);
        std::vector<std::uint32_t> want(n);
        for (auto& w : want) w = ref();
        ASSERT_EQ(got, want) << kernels->name << " seed " << seed << " n " << n;
      }
    }
  }
}

TEST(TorchGenerator, UniformIsFusedU24OfTheMtStream) {
  auto gen = torch_gen(21);
  std::vector<float> got(5000);
  gen->uniform(got, -0.3, 0.7);
  std::mt19937 ref(21);
  const float from = -0.3F;
  const float range = 0.7F - from;
  std::vector<float> want(got.size());
  for (auto& w : want) {
    const float x = static_cast<float>(ref() & 0xffffffU) * 0x1p-24F;
    w = std::fmaf(x, range, from);
  }
  EXPECT_EQ(bit_mismatch(got, want), "");
}

TEST(TorchGenerator, PermutationIsRandpermOfTheMtStream) {
  auto gen = torch_gen(4);
  std::mt19937 ref(4);
  for (std::size_t n : {0UL, 1UL, 2UL, 30UL, 1000UL}) {
    std::vector<std::int64_t> got(n);
    gen->permutation(got);
    std::vector<std::int64_t> want(n);
    std::iota(want.begin(), want.end(), 0);
    for (std::size_t i = 0; i + 1 < n; ++i) {
      std::swap(want[i], want[i + ref() % (n - i)]);
    }
    EXPECT_EQ(got, want) << "n " << n;
  }
}

TEST(TorchGenerator, CachedNormalSurvivesOtherCallsUntilUsed) {
  // normal(7) uses four pairs and keeps the fourth sine; uniform and path A
  // (n >= 16) leave it alone; the next small normal returns it first.
  auto gen = torch_gen(9);
  std::vector<float> seven(7);
  gen->normal(seven, 0.0, 1.0);
  uniforms(*gen, 100);
  std::vector<float> big(17);
  gen->normal(big, 0.0, 1.0);
  std::vector<float> one(1);
  gen->normal(one, 0.0, 1.0);
  std::vector<float> eight(8);
  torch_gen(9)->normal(eight, 0.0, 1.0);
  EXPECT_EQ(bit_mismatch(one, {eight.data() + 7, 1}), "");
  EXPECT_EQ(bit_mismatch(seven, {eight.data(), 7}), "");
}

TEST(TorchGenerator, NewSourceClearsTheCachedNormal) {
  auto first = torch_gen(9);
  std::vector<float> seven(7);
  first->normal(seven, 0.0, 1.0);
  std::vector<float> one(1);
  torch_gen(9)->normal(one, 0.0, 1.0);
  EXPECT_EQ(bit_mismatch(one, {seven.data(), 1}), "");
}

TEST(TorchGenerator, DegenerateArgumentsFillConstants) {
  auto gen = torch_gen(1);
  std::vector<float> v(40);
  gen->uniform(v, 0.25, 0.25);
  EXPECT_TRUE(
      std::all_of(v.begin(), v.end(), [](float x) { return x == 0.25F; }));
  for (std::size_t n : {5UL, 40UL}) {
    std::vector<float> w(n);
    gen->normal(w, -1.5, 0.0);
    EXPECT_TRUE(
        std::all_of(w.begin(), w.end(), [](float x) { return x == -1.5F; }))
        << "n " << n;
  }
}

TEST(TorchGenerator, EmptyAndFailedCallsDrawNothing) {
  auto gen = torch_gen(2);
  std::vector<float> none;
  std::vector<std::int64_t> no_perm;
  gen->uniform(none, 0.0, 1.0);
  gen->normal(none, 0.0, 1.0);
  gen->truncated_normal(none, 0.0, 1.0, -2.0, 2.0);
  gen->permutation(no_perm);
  EXPECT_THROW(gen->uniform(none, 2.0, 1.0), InvalidArgument);
  std::vector<float> v(8);
  EXPECT_THROW(gen->normal(v, 0.0, -1.0), InvalidArgument);
  EXPECT_THROW(gen->truncated_normal(v, 0.0, 0.0, -2.0, 2.0), InvalidArgument);
  EXPECT_THROW(gen->truncated_normal(v, 0.0, 1.0, 2.0, -2.0), InvalidArgument);
  EXPECT_EQ(bit_mismatch(uniforms(*gen, 30), uniforms(*torch_gen(2), 30)), "");
}

TEST(TorchGenerator, UniformRejectsBadRangesWithPyTorchMessages) {
  auto gen = torch_gen(0);
  std::vector<float> v(4);
  EXPECT_EQ(
      invalid_argument_message([&] { gen->uniform(v, 2.0, 1.0); }),
      "uniform_ expects to return a [from, to) range, but found from=2 > to=1");
  EXPECT_EQ(
      invalid_argument_message([&] { gen->uniform(v, -1e39, 0.0); }),
      "from is out of bounds for float");
  EXPECT_EQ(
      invalid_argument_message([&] { gen->uniform(v, NAN, 0.0); }),
      "from is out of bounds for float");
  EXPECT_EQ(
      invalid_argument_message([&] { gen->uniform(v, 0.0, INFINITY); }),
      "to is out of bounds for float");
  EXPECT_EQ(
      invalid_argument_message([&] { gen->uniform(v, -3e38, 3e38); }),
      "uniform_ expects to-from <= std::numeric_limits<Float>::max(), but "
      "found to=3e+38 and from=-3e+38 which result in to-from to exceed the "
      "limit");
}

TEST(TorchGenerator, NormalRejectsNegativeStdWithPyTorchMessage) {
  auto gen = torch_gen(0);
  std::vector<float> v(4);
  EXPECT_EQ(
      invalid_argument_message([&] { gen->normal(v, 0.0, -1.0); }),
      "normal expects std >= 0.0, but found std -1");
  EXPECT_EQ(
      invalid_argument_message([&] { gen->normal(v, 0.0, NAN); }),
      "normal expects std >= 0.0, but found std nan");
}

TEST(TorchGenerator, TruncatedNormalRejectsBadArguments) {
  auto gen = torch_gen(0);
  std::vector<float> v(4);
  EXPECT_EQ(
      invalid_argument_message(
          [&] { gen->truncated_normal(v, 0.0, 0.0, -2.0, 2.0); }),
      "trunc_normal expects std > 0, but found std=0");
  EXPECT_EQ(
      invalid_argument_message(
          [&] { gen->truncated_normal(v, 0.0, -1.0, -2.0, 2.0); }),
      "trunc_normal expects std > 0, but found std=-1");
  EXPECT_EQ(
      invalid_argument_message(
          [&] { gen->truncated_normal(v, 0.0, 1.0, 2.0, 1.0); }),
      "trunc_normal expects a <= b, but found a=2 and b=1");
  EXPECT_EQ(
      invalid_argument_message(
          [&] { gen->truncated_normal(v, 0.0, 1.0, NAN, 1.0); }),
      "trunc_normal expects a <= b, but found a=nan and b=1");
  EXPECT_EQ(
      invalid_argument_message(
          [&] { gen->truncated_normal(v, INFINITY, 1.0, -2.0, 2.0); }),
      "trunc_normal expects a finite mean, but found mean=inf");
}

TEST(TorchGenerator, ThreadCountDoesNotChangeLargeFills) {
  constexpr std::size_t n = (1U << 17) + 5;  // parallel path, with a tail
  auto fill = [](int threads) {
    const ThreadCount team(threads);
    auto gen = torch_gen(13);
    std::vector<float> v(3 * n);
    gen->normal({v.data(), n}, 0.0, 1.0);
    gen->truncated_normal({v.data() + n, n}, 0.1, 0.5, -0.5, 1.0);
    gen->uniform({v.data() + 2 * n, n}, -1.0, 1.0);
    return v;
  };
  EXPECT_EQ(bit_mismatch(fill(2), fill(1)), "");
}

TEST(TorchGenerator, LargeFillsHaveTheRequestedMoments) {
  const std::size_t n = 1U << 16;
  auto gen = torch_gen(17);
  std::vector<float> v(n);
  auto moments = [&v] {
    double sum = 0.0;
    double sq = 0.0;
    for (float x : v) {
      sum += x;
      sq += static_cast<double>(x) * x;
    }
    const double mean = sum / static_cast<double>(v.size());
    return std::pair{
        mean, std::sqrt(sq / static_cast<double>(v.size()) - mean * mean)};
  };
  const double tol =
      5.0 / std::sqrt(static_cast<double>(n));  // 5 sigma, unit std
  gen->normal(v, 2.0, 3.0);
  auto [m, s] = moments();
  EXPECT_NEAR(m, 2.0, 3.0 * tol);
  EXPECT_NEAR(s, 3.0, 3.0 * 2.0 * tol);
  gen->uniform(v, -1.0, 3.0);
  std::tie(m, s) = moments();
  EXPECT_NEAR(m, 1.0, 4.0 / std::sqrt(12.0) * tol);
  EXPECT_TRUE(std::all_of(
      v.begin(), v.end(), [](float x) { return x >= -1.0F && x < 3.0F; }));
  gen->truncated_normal(v, 0.0, 1.0, -1.0, 1.0);
  std::tie(m, s) = moments();
  EXPECT_NEAR(m, 0.0, tol);
  EXPECT_NEAR(s, 0.5380, 2.0 * tol);  // std of N(0,1) truncated to [-1, 1]
  EXPECT_TRUE(std::all_of(
      v.begin(), v.end(), [](float x) { return x >= -1.0F && x <= 1.0F; }));
}

}  // namespace
}  // namespace initforge
