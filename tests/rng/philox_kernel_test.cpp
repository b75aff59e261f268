// SPDX-License-Identifier: Apache-2.0
// Philox core: Random123 known answers, the documented element layout, and
// identical bits from every kernel (scalar, AVX2, AVX-512).
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/core/generator.h"
#include "framework/core/rng/philox_kernels.h"

#include "tests/testing/stats.h"

namespace initforge {
namespace {

using philox::Kernel;

// Restores automatic kernel choice when a test ends, even on failure.
struct ForcedKernel {
  explicit ForcedKernel(Kernel k) {
    philox::force_kernel(k);
  }
  ~ForcedKernel() {
    philox::force_kernel(std::nullopt);
  }
};

// One fill of `n` elements at `offset` with a fresh generator for "w".
using Fill = std::function<void(Generator&, std::span<float>)>;

std::vector<std::uint32_t> fill_bits(
    const Fill& fill, std::size_t n, std::int64_t offset) {
  auto source = RandomSource::create(RngKind::Philox, 1234);
  auto gen = source->generator_for("layer.weight", offset);
  std::vector<float> out(n);
  fill(*gen, out);
  std::vector<std::uint32_t> bits(n);
  std::memcpy(bits.data(), out.data(), n * sizeof(float));
  return bits;
}

std::vector<std::pair<const char*, Fill>> all_ops() {
  return {
      {"uniform",
       [](Generator& g, std::span<float> d) { g.uniform(d, -0.3, 0.7); }},
      {"normal",
       [](Generator& g, std::span<float> d) { g.normal(d, 0.5, 2.0); }},
      {"truncated_normal",
       [](Generator& g, std::span<float> d) {
         g.truncated_normal(d, 0.0, 1.0, -2.0, 2.0);
       }},
      {"truncated_tail",
       [](Generator& g, std::span<float> d) {
         g.truncated_normal(d, 0.0, 1.0, 7.0, 9.0);
       }},
      {"random_u32", [](Generator& g, std::span<float> d) {
         g.random_u32({reinterpret_cast<std::uint32_t*>(d.data()), d.size()});
       }}};
}

TEST(PhiloxCore, MatchesRandom123KnownAnswers) {
  struct Kat {
    std::uint32_t ctr[4];
    std::uint32_t key[2];
    std::uint32_t out[4];
  };
  const Kat kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}};
  for (const Kat& k : kats) {
    std::uint32_t out[4];
    philox::philox4x32_10(k.ctr, k.key, out);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i], k.out[i]) << i;
  }
}

TEST(PhiloxCore, RandomU32FollowsTheDocumentedLayout) {
  // Element i of draw d is word (i % 64) / 16 of block 16 (i / 64) + i % 16.
  const std::uint64_t key = philox::derive_key(77, "fc1.weight");
  const std::uint32_t k[2] = {
      static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)};
  auto gen = RandomSource::create(RngKind::Philox, 77)
                 ->generator_for("fc1.weight", 1000);
  std::vector<std::uint32_t> first(300), second(300);
  gen->random_u32(first);
  gen->random_u32(second);
  for (std::uint64_t d = 0; d < 2; ++d) {
    const auto& got = d == 0 ? first : second;
    for (std::uint64_t k_i = 0; k_i < got.size(); ++k_i) {
      const std::uint64_t i = 1000 + k_i;
      const std::uint64_t b = 16 * (i / 64) + i % 16;
      const std::uint32_t ctr[4] = {
          static_cast<std::uint32_t>(b),
          static_cast<std::uint32_t>(b >> 32),
          static_cast<std::uint32_t>(d),
          0};
      std::uint32_t words[4];
      philox::philox4x32_10(ctr, k, words);
      ASSERT_EQ(got[k_i], words[(i % 64) / 16]) << "draw " << d << " i " << i;
    }
  }
}

TEST(PhiloxCore, KeyDependsOnSeedAndEveryPathByte) {
  const std::uint64_t base = philox::derive_key(0, "fc1.weight");
  EXPECT_NE(base, philox::derive_key(1, "fc1.weight"));
  EXPECT_NE(base, philox::derive_key(0, "fc1.bias"));
  EXPECT_NE(base, philox::derive_key(0, "fc2.weight"));
  EXPECT_NE(base, philox::derive_key(0, "fc1.weight "));
  EXPECT_NE(philox::derive_key(0, ""), philox::derive_key(1, ""));
}

TEST(PhiloxCore, EveryKernelGivesIdenticalBits) {
  struct Case {
    std::size_t n;
    std::int64_t offset;
  };
  const Case cases[] = {
      {1, 0}, {63, 0}, {64, 0}, {65, 3}, {1000, 17}, {4096, 64}, {777, 5000}};
  std::size_t compared = 0;
  for (const auto& [name, fill] : all_ops()) {
    for (const Case& c : cases) {
      std::vector<std::uint32_t> reference;
      {
        ForcedKernel forced(Kernel::Scalar);
        reference = fill_bits(fill, c.n, c.offset);
      }
      for (Kernel k : {Kernel::Avx2, Kernel::Avx512}) {
        if (!philox::kernel_supported(k)) continue;
        ForcedKernel forced(k);
        EXPECT_EQ(fill_bits(fill, c.n, c.offset), reference)
            << name << " kernel " << philox::kernel_name(k) << " n " << c.n
            << " offset " << c.offset;
        ++compared;
      }
    }
  }
  if (compared == 0) GTEST_SKIP() << "this CPU has no vector kernel";
}

TEST(PhiloxCore, ForcingAnUnsupportedKernelIsRejectedOrWorks) {
  for (Kernel k : {Kernel::Scalar, Kernel::Avx2, Kernel::Avx512}) {
    if (philox::kernel_supported(k)) {
      ForcedKernel forced(k);
      EXPECT_EQ(philox::active_kernel(), k);
    } else {
      try {
        philox::force_kernel(k);
        FAIL() << "expected InvalidArgument";
      } catch (const InvalidArgument& e) {
        EXPECT_NE(
            std::string(e.what()).find("not supported"), std::string::npos);
      }
    }
  }
  philox::force_kernel(std::nullopt);
}

TEST(StatsHelpers, KolmogorovSurvivalMatchesScipy) {
  // scipy.stats.kstwobign.sf
  EXPECT_NEAR(testing::kolmogorov_sf(0.5), 0.9639452436648751, 1e-9);
  EXPECT_NEAR(testing::kolmogorov_sf(1.0), 0.26999967167735456, 1e-9);
  EXPECT_NEAR(testing::kolmogorov_sf(1.36), 0.049485876755377876, 1e-9);
  EXPECT_NEAR(testing::kolmogorov_sf(2.0), 0.0006709252557796953, 1e-10);
}

TEST(StatsHelpers, KsTestRejectsAShiftedSample) {
  std::vector<float> x(20000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = (static_cast<float>(i) + 0.5f) / static_cast<float>(x.size());
  }
  const auto ok = testing::ks_test(
      x, [](double v) { return testing::uniform_cdf(v, 0.0, 1.0); });
  EXPECT_GT(ok.p_value, 0.99);
  const auto shifted = testing::ks_test(
      x, [](double v) { return testing::uniform_cdf(v, 0.02, 1.02); });
  EXPECT_LT(shifted.p_value, 1e-4);
  EXPECT_NEAR(shifted.statistic, 0.02, 1e-3);
}

}  // namespace
}  // namespace initforge
