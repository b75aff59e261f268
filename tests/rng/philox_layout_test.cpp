// SPDX-License-Identifier: Apache-2.0
// Philox reproducibility: independent of threads, sharding, other
// parameters and their order; different for other paths, seeds and draws.
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <omp.h>

#include "framework/core/error.h"
#include "framework/core/generator.h"
#include "framework/core/tensor.h"

namespace initforge {
namespace {

// Larger than the parallel threshold so the threaded path runs.
constexpr std::size_t kBig = (std::size_t{1} << 18) + 1234;

using Fill = std::function<void(Generator&, std::span<float>)>;

std::vector<Fill> all_fills() {
  return {
      [](Generator& g, std::span<float> d) { g.uniform(d, -1.0, 3.0); },
      [](Generator& g, std::span<float> d) { g.normal(d, 0.0, 0.1); },
      [](Generator& g, std::span<float> d) {
        g.truncated_normal(d, 0.0, 1.0, -2.0, 2.0);
      },
      [](Generator& g, std::span<float> d) {
        g.random_u32({reinterpret_cast<std::uint32_t*>(d.data()), d.size()});
      }};
}

// Two consecutive draws of `fill` on (seed, path) from element `offset`.
std::vector<float> two_draws(
    const Fill& fill,
    std::size_t n,
    std::int64_t offset = 0,
    std::uint64_t seed = 9,
    const char* path = "block.conv.weight") {
  auto g =
      RandomSource::create(RngKind::Philox, seed)->generator_for(path, offset);
  std::vector<float> out(2 * n);
  fill(*g, std::span<float>(out).first(n));
  fill(*g, std::span<float>(out).subspan(n));
  return out;
}

bool same_bytes(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(PhiloxLayout, IdenticalBytesWithOneAndTwoThreads) {
  const int saved = omp_get_max_threads();
  for (const Fill& fill : all_fills()) {
    omp_set_num_threads(1);
    const auto one = two_draws(fill, kBig, 5);
    omp_set_num_threads(2);
    const auto two = two_draws(fill, kBig, 5);
    omp_set_num_threads(3);  // uneven split across threads
    const auto three = two_draws(fill, kBig, 5);
    EXPECT_TRUE(same_bytes(one, two));
    EXPECT_TRUE(same_bytes(one, three));
  }
  omp_set_num_threads(saved);
}

TEST(PhiloxLayout, ShardEqualsSliceOfFullFill) {
  std::mt19937 rng(42);
  for (const Fill& fill : all_fills()) {
    const auto full = two_draws(fill, kBig);
    for (int t = 0; t < 12; ++t) {
      // Random, mostly unaligned shards; some big enough to run threaded.
      const std::size_t len =
          t % 3 == 0 ? (std::size_t{1} << 17) + rng() % 999 : 1 + rng() % 3000;
      const std::size_t off = rng() % (kBig - len);
      const auto shard = two_draws(fill, len, static_cast<std::int64_t>(off));
      ASSERT_TRUE(same_bytes(
          std::span<const float>(shard).first(len),
          std::span<const float>(full).subspan(off, len)))
          << "draw 0 off " << off << " len " << len;
      ASSERT_TRUE(same_bytes(
          std::span<const float>(shard).subspan(len),
          std::span<const float>(full).subspan(kBig + off, len)))
          << "draw 1 off " << off << " len " << len;
    }
  }
}

TEST(PhiloxLayout, CacheBypassingBigFillMatchesSmallShards) {
  // Fills of >= 4M elements into 64-byte aligned memory use streaming
  // stores; values must not change.
  constexpr std::size_t kHuge = (std::size_t{1} << 22) + 77;
  Tensor t = Tensor::empty(Shape{static_cast<std::int64_t>(kHuge)});
  for (const Fill& fill : all_fills()) {
    for (std::int64_t offset : {0, 16}) {
      auto g = RandomSource::create(RngKind::Philox, 9)
                   ->generator_for("block.conv.weight", offset);
      fill(*g, t.span());
      for (std::size_t at : {std::size_t{0}, kHuge / 2 + 5, kHuge - 300}) {
        const auto shard =
            two_draws(fill, 300, offset + static_cast<std::int64_t>(at));
        ASSERT_TRUE(same_bytes(
            std::span<const float>(shard).first(300),
            std::span<const float>(t.span()).subspan(at, 300)))
            << "offset " << offset << " at " << at;
      }
    }
  }
}

TEST(PhiloxLayout, ParameterUnchangedByOtherParametersAndOrder) {
  // Model A: fc1.weight, fc1.bias. Model B adds fc0.weight first and
  // initializes bias before weight: fc1's values must not move.
  const auto init = [](const std::vector<std::string>& order) {
    auto source = RandomSource::create(RngKind::Philox, 2024);
    std::vector<std::vector<float>> values;
    for (const auto& path : order) {
      std::vector<float> v(path == "fc1.bias" ? 100 : 5000);
      source->generator_for(path)->normal(v, 0.0, 1.0);
      values.push_back(v);
    }
    return values;
  };
  const auto a = init({"fc1.weight", "fc1.bias"});
  const auto b = init({"fc0.weight", "fc1.bias", "fc1.weight"});
  EXPECT_TRUE(same_bytes(a[0], b[2]));
  EXPECT_TRUE(same_bytes(a[1], b[1]));
}

TEST(PhiloxLayout, PathsSeedsAndDrawsGiveDifferentValues) {
  const Fill uniform = [](Generator& g, std::span<float> d) {
    g.uniform(d, 0.0, 1.0);
  };
  const auto base = two_draws(uniform, 1000, 0, 9, "a.weight");
  const auto other_path = two_draws(uniform, 1000, 0, 9, "b.weight");
  const auto other_seed = two_draws(uniform, 1000, 0, 10, "a.weight");
  const auto count_equal = [](std::span<const float> x,
                              std::span<const float> y) {
    std::size_t same = 0;
    for (std::size_t i = 0; i < x.size(); ++i) same += x[i] == y[i];
    return same;
  };
  // Chance agreement of two 24-bit uniforms is ~6e-8 per element.
  EXPECT_LE(count_equal(base, other_path), 1u);
  EXPECT_LE(count_equal(base, other_seed), 1u);
  const std::span<const float> all(base);
  EXPECT_LE(count_equal(all.first(1000), all.subspan(1000)), 1u);
}

TEST(PhiloxLayout, SourceReportsKindSeedAndName) {
  auto source = RandomSource::create(RngKind::Philox, 99);
  EXPECT_EQ(source->kind(), RngKind::Philox);
  EXPECT_EQ(source->seed(), 99u);
  EXPECT_EQ(source->generator_for("x")->name(), "philox");
}

TEST(PhiloxLayout, RejectsNegativeElementOffset) {
  auto source = RandomSource::create(RngKind::Philox, 1);
  try {
    source->generator_for("fc.weight", -1);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(
        std::string(e.what()).find("element_offset must be >= 0; got -1"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace initforge
