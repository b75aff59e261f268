// SPDX-License-Identifier: Apache-2.0
//
// The philox generator. REPRODUCIBILITY CONTRACT (changing any of this
// changes every philox-initialized weight):
//
// Key. fnv = FNV-1a 64 over the path bytes (basis 0xcbf29ce484222325, prime
//   0x100000001b3); key = splitmix64(fnv ^ splitmix64(seed)), where
//   splitmix64(z) = mix(z + 0x9e3779b97f4a7c15) with the standard splitmix64
//   finaliser; k0 = low 32 bits, k1 = high 32 bits. Philox4x32-10 as in
//   Random123 (M = 0xD2511F53, 0xCD9E8D57; W = 0x9E3779B9, 0xBB67AE85).
// Draws. Each bulk call of a generator is the next draw d = 0, 1, 2, ...
// Elements. Element i of the parameter (i = element_offset + index in the
//   span) in draw d is word j = (i % 64) / 16 of the block with counter
//   (lo32(b), hi32(b), lo32(d), hi32(d)), b = 16 * (i / 64) + i % 16.
//   So a shard [off, off + n) filled by a generator created with
//   element_offset = off gets exactly the values of those elements in the
//   full fill, for uniform, normal, truncated_normal and random_u32.
// Values (float32, round-to-nearest, fma where written):
//   random_u32: the word w.
//   uniform: min(fma(float(w >> 8), (to_f - from_f) * 2^-24, from_f),
//     nextbelow(to_f)) (>= from_f as the fma is); from_f == to_f fills
//     from_f.
//   normal: words j = 0,1 (and 2,3) of a block are a Box-Muller pair:
//     u1 = fma(float(w0 >> 1), 2^-31, 2^-32), angle = 2 pi (w1 >> 8) / 2^24;
//     element j=0 gets r cos, j=1 gets r sin, r = sqrt(-2 log u1); then
//     fma(z, std_f, mean_f). log/sin/cos are our polynomials
//     (philox_kernel_impl.h), identical on every instruction set.
//   truncated_normal: inverse CDF of u = ((w >> 9) + 0.5) 2^-23 mapped onto
//     [Phi(alpha), Phi(beta)] through the nearer tail, then clamp to [a, b].
//     Accurate (~3e-7 relative) while the tail mass stays above FLT_MIN
//     (bounds within ~13 sigma); beyond, values sit at the nearer bound.
//   permutation: Fisher-Yates (i = n-1 .. 1, j = bounded(i + 1), Lemire's
//     unbiased method) on words 0, 1, 2, ... of the draw, word k being word
//     k % 4 of the block with counter (lo32(k/4), hi32(k/4), lo32(d),
//     hi32(d)); bounds above 2^32 take two words (high word first). It
//     ignores element_offset (a permutation is not elementwise).
// Values do not depend on thread count, kernel (scalar/AVX2/AVX-512) or how
// a fill is split.

#include "framework/core/rng/philox_generator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <sstream>
#include <string>

#include <omp.h>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/core/rng/philox_kernels.h"

namespace initforge {
namespace {

using philox::KernelArgs;
using philox::kGroupSize;
using philox::Op;

// Fills this long run in parallel; shorter ones are not worth a team.
constexpr std::size_t kParallelMin = std::size_t{1} << 16;
// Fills at least this long bypass the cache (streaming stores): they cannot
// stay cached anyway, and skipping the read-for-ownership halves traffic.
constexpr std::size_t kStreamMin = std::size_t{1} << 22;
// Work unit of the parallel loop (a multiple of the group size).
constexpr std::uint64_t kChunk = std::uint64_t{1} << 14;

std::string num(double v) {  // PyTorch prints scalars with ostream defaults
  std::ostringstream out;
  out << v;
  return out.str();
}

// Elements [first, first + count) of the parameter into `out`; partial
// groups at either end go through a one-group buffer.
void fill_range(
    philox::GroupKernel kernel,
    const KernelArgs& args,
    std::uint64_t first,
    std::size_t count,
    char* out) {
  alignas(64) std::uint32_t buf[kGroupSize];
  const std::size_t head = first % kGroupSize;
  if (head != 0 && count > 0) {
    kernel(args, first / kGroupSize, 1, buf);
    const std::size_t take = std::min(kGroupSize - head, count);
    std::memcpy(out, buf + head, take * 4);
    first += take;
    count -= take;
    out += take * 4;
  }
  const std::size_t full = count / kGroupSize;
  if (full > 0) {
    kernel(args, first / kGroupSize, full, out);
    first += full * kGroupSize;
    count -= full * kGroupSize;
    out += full * kGroupSize * 4;
  }
  if (count > 0) {
    kernel(args, first / kGroupSize, 1, buf);
    std::memcpy(out, buf, count * 4);
  }
}

class PhiloxGenerator final : public Generator {
 public:
  PhiloxGenerator(std::uint64_t key, std::uint64_t offset)
      : key_(key), offset_(offset) {}

  std::string_view name() const override {
    return "philox";
  }

  void uniform(std::span<float> dst, double from, double to) override {
    const double fmax = std::numeric_limits<float>::max();
    for (auto [v, what] : {std::pair{from, "from"}, std::pair{to, "to"}}) {
      if (!(v >= -fmax && v <= fmax)) {
        throw InvalidArgument(
            std::string(what) + " is out of bounds for float");
      }
    }
    if (from > to) {
      throw InvalidArgument(
          "uniform_ expects to return a [from, to) range, but found from=" +
          num(from) + " > to=" + num(to));
    }
    const auto from_f = static_cast<float>(from);
    const auto to_f = static_cast<float>(to);
    const float range = to_f - from_f;
    if (to - from > fmax || !std::isfinite(range)) {
      throw InvalidArgument(
          "uniform_ expects to-from <= std::numeric_limits<float>::max(), but "
          "found to=" +
          num(to) + " and from=" + num(from) +
          " which result in to-from to exceed the limit");
    }
    KernelArgs a = args(Op::Uniform);
    if (from_f == to_f) return constant(dst, from_f);
    a.scale = range * 0x1p-24f;
    a.shift = from_f;
    a.hi = std::nextafter(to_f, -std::numeric_limits<float>::infinity());
    run(a, dst.data(), dst.size());
  }

  void normal(std::span<float> dst, double mean, double std) override {
    if (!(std >= 0.0)) {
      throw InvalidArgument(
          "normal expects std >= 0.0, but found std " + num(std));
    }
    KernelArgs a = args(Op::Normal);
    a.scale = static_cast<float>(std);
    a.shift = static_cast<float>(mean);
    if (a.scale == 0.0f) return constant(dst, a.shift);
    run(a, dst.data(), dst.size());
  }

  void truncated_normal(
      std::span<float> dst,
      double mean,
      double std,
      double a,
      double b) override {
    if (!(std > 0.0) || !std::isfinite(std) || !std::isfinite(mean)) {
      throw InvalidArgument(
          "truncated_normal expects a finite mean and std > 0, but found "
          "mean " +
          num(mean) + " and std " + num(std));
    }
    if (!(a <= b)) {
      throw InvalidArgument(
          "truncated_normal expects a <= b, but found a=" + num(a) +
          " > b=" + num(b));
    }
    KernelArgs k = args(Op::TruncatedNormal);
    const double alpha = (a - mean) / std;
    const double beta = (b - mean) / std;
    const auto phi = [](double x) {
      return 0.5 * std::erfc(-x / std::sqrt(2.0));
    };
    const double pa = phi(alpha);
    const double qb = phi(-beta);
    // The interval's mass, from the tail it lies in (no cancellation).
    const double d = alpha > 0.0 ? phi(-alpha) - qb : phi(beta) - pa;
    k.pa = static_cast<float>(pa);
    k.qb = static_cast<float>(qb);
    k.d = static_cast<float>(d);
    k.scale = static_cast<float>(std);
    k.shift = static_cast<float>(mean);
    k.lo = static_cast<float>(a);
    k.hi = static_cast<float>(b);
    run(k, dst.data(), dst.size());
  }

  void random_u32(std::span<std::uint32_t> dst) override {
    run(args(Op::U32), dst.data(), dst.size());
  }

  void permutation(std::span<std::int64_t> dst) override {
    const KernelArgs a = args(Op::U32);
    philox::shuffle_identity(a.key, a.draw, dst);
  }

 private:
  KernelArgs args(Op op) {
    KernelArgs a;
    a.key[0] = static_cast<std::uint32_t>(key_);
    a.key[1] = static_cast<std::uint32_t>(key_ >> 32);
    a.draw = draw_++;
    a.op = op;
    return a;
  }

  void constant(std::span<float> dst, float value) {
    std::fill(dst.begin(), dst.end(), value);
  }

  void run(KernelArgs a, void* dst, std::size_t n) {
    if (n == 0) return;
    a.stream = n >= kStreamMin;
    if (offset_ > std::numeric_limits<std::uint64_t>::max() / 2 - n) {
      throw InvalidArgument(
          "philox fill of " + std::to_string(n) + " elements at offset " +
          std::to_string(offset_) + " overflows the element counter");
    }
    const philox::GroupKernel kernel =
        philox::group_kernel(philox::active_kernel());
    auto* out = static_cast<char*>(dst);
    const std::uint64_t first = offset_;
    if (n < kParallelMin || omp_get_max_threads() == 1) {
      fill_range(kernel, a, first, n, out);
      return;
    }
    // Chunks on a global grid of kChunk elements; schedule(static) gives each
    // thread one contiguous share, which is also the pages it first touches.
    const std::uint64_t base = first - first % kChunk;
    const std::uint64_t end = first + n;
    const auto chunks =
        static_cast<std::int64_t>((end - base + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static)
    for (std::int64_t c = 0; c < chunks; ++c) {
      const std::uint64_t lo =
          std::max(first, base + static_cast<std::uint64_t>(c) * kChunk);
      const std::uint64_t hi =
          std::min(end, base + static_cast<std::uint64_t>(c + 1) * kChunk);
      fill_range(kernel, a, lo, hi - lo, out + (lo - first) * 4);
    }
  }

  std::uint64_t key_;  // k0 = low word, k1 = high word
  std::uint64_t offset_;
  std::uint64_t draw_ = 0;
};

class PhiloxSource final : public RandomSource {
 public:
  explicit PhiloxSource(std::uint64_t seed) : seed_(seed) {}

  RngKind kind() const override {
    return RngKind::Philox;
  }
  std::uint64_t seed() const override {
    return seed_;
  }
  std::shared_ptr<Generator> generator_for(
      std::string_view path, std::int64_t element_offset) override {
    if (element_offset < 0) {
      throw InvalidArgument(with_got(
          "philox generator for \"" + std::string(path) +
              "\": element_offset must be >= 0",
          std::to_string(element_offset)));
    }
    return std::make_shared<PhiloxGenerator>(
        philox::derive_key(seed_, path),
        static_cast<std::uint64_t>(element_offset));
  }

 private:
  std::uint64_t seed_;
};

}  // namespace

namespace philox {
namespace {

std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t derive_key(std::uint64_t seed, std::string_view path) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (char c : path) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return splitmix64(h ^ splitmix64(seed));
}

}  // namespace philox

std::unique_ptr<RandomSource> make_philox_source(std::uint64_t seed) {
  return std::make_unique<PhiloxSource>(seed);
}

}  // namespace initforge
