// SPDX-License-Identifier: Apache-2.0
// PyTorch 1.13 CPU random streams (torch_init_spec.md §3): uniform_, normal_
// (vectorised path A for >= 16 elements, double Box-Muller path B with the
// cached sine below 16), trunc_normal_ and randperm, on one mt19937 stream.
// Compiled with -ffp-contract=off: every fused operation is explicit.
#include "framework/core/rng/torch_generator.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <mutex>
#include <numbers>
#include <optional>
#include <sstream>
#include <string>

#include "framework/core/error.h"
#include "framework/core/rng/torch_kernels.h"
#include "framework/core/rng/torch_mt19937.h"

namespace initforge {
namespace {

using torch_rng::Kernels;

// Below this many elements everything stays on the calling thread; above,
// elementwise transforms run per chunk (a multiple of 16) on all threads.
constexpr std::size_t kParallelMin = std::size_t{1} << 16;
constexpr std::size_t kChunk = std::size_t{1} << 15;

// Doubles printed as c10::str prints them (ostream defaults: "2", "3e+38").
std::string str(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// uniform_impl_'s checks, in PyTorch's order and words.
void check_uniform(double from, double to) {
  constexpr double kMax = std::numeric_limits<float>::max();
  if (!(from >= -kMax && from <= kMax)) {
    throw InvalidArgument("from is out of bounds for float");
  }
  if (!(to >= -kMax && to <= kMax)) {
    throw InvalidArgument("to is out of bounds for float");
  }
  if (!(from <= to)) {
    throw InvalidArgument(
        "uniform_ expects to return a [from, to) range, but found from=" +
        str(from) + " > to=" + str(to));
  }
  if (!(to - from <= kMax)) {
    throw InvalidArgument(
        "uniform_ expects to-from <= std::numeric_limits<Float>::max(), but "
        "found to=" +
        str(to) + " and from=" + str(from) +
        " which result in to-from to exceed the limit");
  }
}

// Φ(x) exactly as nn.init.trunc_normal_'s norm_cdf computes it.
double norm_cdf(double x) {
  return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0;
}

// U53 of random64(): uniform_real_distribution<double>(0, 1).
double u53(std::uint64_t word) {
  constexpr std::uint64_t kMask = (std::uint64_t{1} << 53) - 1;
  return static_cast<double>(word & kMask) * 0x1p-53;
}

class TorchGenerator final : public Generator {
 public:
  TorchGenerator(std::uint64_t seed, const Kernels& kernels)
      : kernels_(&kernels),
        mt_(static_cast<std::uint32_t>(seed & 0xffffffffU), kernels) {}

  std::string_view name() const override {
    return "torch";
  }

  void uniform(std::span<float> dst, double from, double to) override {
    check_uniform(from, to);
    const std::lock_guard lock(mutex_);
    const auto from_f = static_cast<float>(from);
    fill_uniform(dst, from_f, static_cast<float>(to) - from_f);
  }

  void normal(std::span<float> dst, double mean, double std) override {
    if (!(std >= 0.0)) {
      throw InvalidArgument(
          "normal expects std >= 0.0, but found std " + str(std));
    }
    const std::lock_guard lock(mutex_);
    if (dst.size() < 16) {
      normal_double(dst, mean, std);
    } else {
      normal_vectorised(dst, static_cast<float>(mean), static_cast<float>(std));
    }
  }

  void truncated_normal(
      std::span<float> dst,
      double mean,
      double std,
      double a,
      double b) override {
    if (!(std > 0.0)) {
      throw InvalidArgument(
          "trunc_normal expects std > 0, but found std=" + str(std));
    }
    if (!(a <= b)) {
      throw InvalidArgument(
          "trunc_normal expects a <= b, but found a=" + str(a) +
          " and b=" + str(b));
    }
    if (!std::isfinite(mean)) {
      throw InvalidArgument(
          "trunc_normal expects a finite mean, but found mean=" + str(mean));
    }
    const double l = norm_cdf((a - mean) / std);
    const double u = norm_cdf((b - mean) / std);
    const double from = 2.0 * l - 1.0;
    const double to = 2.0 * u - 1.0;
    check_uniform(from, to);
    // uniform_, then erfinv_, mul_, add_ and clamp_ fused per element.
    const auto from_f = static_cast<float>(from);
    const auto range = static_cast<float>(to) - from_f;
    const auto scale = static_cast<float>(std * std::numbers::sqrt2);
    const auto shift = static_cast<float>(mean);
    const auto lo = static_cast<float>(a);
    const auto hi = static_cast<float>(b);
    const std::lock_guard lock(mutex_);
    pipeline(
        dst.size(),
        [&](std::size_t begin, std::size_t count) {
          fill_uniform(dst.subspan(begin, count), from_f, range);
        },
        [&](std::size_t begin, std::size_t count) {
          kernels_->erfinv_affine(
              dst.data() + begin, count, scale, shift, lo, hi);
        });
  }

  void random_u32(std::span<std::uint32_t> dst) override {
    const std::lock_guard lock(mutex_);
    std::uint32_t* out = dst.data();
    mt_.consume(dst.size(), [&](const std::uint32_t* raw, std::size_t n) {
      kernels_->temper(raw, out, n);
      out += n;
    });
  }

  // randperm_cpu of 1.13: Fisher-Yates with random() % (n - i).
  void permutation(std::span<std::int64_t> dst) override {
    const std::lock_guard lock(mutex_);
    const auto n = static_cast<std::int64_t>(dst.size());
    for (std::int64_t i = 0; i < n; ++i) dst[static_cast<std::size_t>(i)] = i;
    for (std::int64_t i = 0; i + 1 < n; ++i) {
      const auto z = static_cast<std::int64_t>(mt_.next()) % (n - i);
      std::swap(
          dst[static_cast<std::size_t>(i)],
          dst[static_cast<std::size_t>(i + z)]);
    }
  }

 private:
  void fill_uniform(std::span<float> dst, float from, float range) {
    float* out = dst.data();
    mt_.consume(dst.size(), [&](const std::uint32_t* raw, std::size_t n) {
      kernels_->uniform(raw, out, n, from, range);
      out += n;
    });
  }

  // Path A (normal_fill_AVX2): n uniforms, Box-Muller per block of 16, and
  // when n % 16 != 0 the last 16 slots again from 16 fresh uniforms.
  void normal_vectorised(std::span<float> dst, float mean, float std) {
    const std::size_t n = dst.size();
    pipeline(
        n,
        [&](std::size_t begin, std::size_t count) {
          fill_uniform(dst.subspan(begin, count), 0.0F, 1.0F);
        },
        [&](std::size_t begin, std::size_t count) {
          kernels_->box_muller(dst.data() + begin, count / 16, mean, std);
        });
    if (n % 16 != 0) {
      const std::span<float> tail = dst.subspan(n - 16);
      fill_uniform(tail, 0.0F, 1.0F);
      kernels_->box_muller(tail.data(), 1, mean, std);
    }
  }

  // Path B: normal_distribution<double> per element; the sine half of each
  // pair stays cached in the generator, across calls, until used.
  void normal_double(std::span<float> dst, double mean, double std) {
    for (float& out : dst) {
      double ret = 0.0;
      if (cached_normal_) {
        ret = *cached_normal_;
        cached_normal_.reset();
      } else {
        const double u1 = u53(mt_.next64());
        const double u2 = u53(mt_.next64());
        const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
        const double theta = 2.0 * std::numbers::pi * u1;
        cached_normal_ = r * std::sin(theta);
        ret = r * std::cos(theta);
      }
      out = static_cast<float>(std::fma(ret, std, mean));
    }
  }

  // Fills [0, n) chunk by chunk with produce(begin, count) on one thread
  // (the stream is sequential) and runs transform(begin, count) on each
  // filled chunk as an OpenMP task, so other threads transform while the
  // stream moves on. Chunks are independent: the bits never depend on the
  // thread count.
  template <class Produce, class Transform>
  static void pipeline(
      std::size_t n, Produce&& produce, Transform&& transform) {
    if (n < kParallelMin) {
      produce(0, n);
      transform(0, n);
      return;
    }
#pragma omp parallel
#pragma omp single
    for (std::size_t begin = 0; begin < n; begin += kChunk) {
      const std::size_t count = std::min(kChunk, n - begin);
      produce(begin, count);
#pragma omp task firstprivate(begin, count)
      transform(begin, count);
    }
  }

  const Kernels* kernels_;
  std::mutex mutex_;
  torch_rng::Mt19937 mt_;
  std::optional<double> cached_normal_;
};

// torch mode: one stream for every parameter, in initialization order.
class TorchSource final : public RandomSource {
 public:
  explicit TorchSource(std::uint64_t seed)
      : seed_(seed),
        generator_(std::make_shared<TorchGenerator>(
            seed, torch_rng::best_kernels())) {}

  RngKind kind() const override {
    return RngKind::Torch;
  }
  std::uint64_t seed() const override {
    return seed_;
  }
  std::shared_ptr<Generator> generator_for(
      std::string_view path, std::int64_t element_offset) override {
    if (element_offset != 0) {
      throw InvalidArgument(
          "torch generator: cannot start '" + std::string(path) +
          "' at element " + std::to_string(element_offset) +
          "; the torch stream is sequential and fills whole parameters only "
          "(element_offset must be 0; use rng philox to fill shards)");
    }
    return generator_;
  }

 private:
  std::uint64_t seed_;
  std::shared_ptr<TorchGenerator> generator_;
};

}  // namespace

std::unique_ptr<RandomSource> make_torch_source(std::uint64_t seed) {
  return std::make_unique<TorchSource>(seed);
}

std::shared_ptr<Generator> make_torch_generator(
    std::uint64_t seed, const torch_rng::Kernels& kernels) {
  return std::make_shared<TorchGenerator>(seed, kernels);
}

}  // namespace initforge
