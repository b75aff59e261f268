// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "framework/core/export.h"

namespace initforge {

/// Bulk random distributions. Plugins never turn raw bits into floats
/// themselves: they call these, so every scheme is reproducible under both
/// generators. Scalar arguments are doubles, as in torch.nn.init; each
/// implementation documents how it rounds them to float.
class INITFORGE_API Generator {
 public:
  virtual ~Generator();

  /// "philox" or "torch".
  virtual std::string_view name() const = 0;

  /// U[from, to). Throws InvalidArgument when from > to or to - from
  /// overflows float (PyTorch's checks and messages).
  virtual void uniform(std::span<float> dst, double from, double to) = 0;

  /// N(mean, std²). Throws InvalidArgument when std < 0.
  virtual void normal(std::span<float> dst, double mean, double std) = 0;

  /// N(mean, std²) restricted to [a, b] (torch.nn.init.trunc_normal_:
  /// inverse-CDF sampling, then clamped to [a, b]). Throws InvalidArgument
  /// when std <= 0 or a > b.
  virtual void truncated_normal(
      std::span<float> dst, double mean, double std, double a, double b) = 0;

  /// Raw uniformly distributed 32-bit words.
  virtual void random_u32(std::span<std::uint32_t> dst) = 0;

  /// A uniformly random permutation of 0 .. dst.size()-1 (torch.randperm).
  virtual void permutation(std::span<std::int64_t> dst) = 0;
};

/// Which generator a run uses.
enum class RngKind { Philox, Torch };

/// "philox" / "torch" <-> RngKind; parse throws UsageError naming the choices.
INITFORGE_API RngKind parse_rng_kind(std::string_view text);
INITFORGE_API std::string_view to_string(RngKind kind);

/// The random state of one run. It hands each parameter its generator:
///  - philox: a fresh counter-based stream keyed by (seed, path); its first
///    element is `element_offset` of the parameter, so a shard filled alone
///    gets exactly the values it has in the full fill;
///  - torch: the one sequential PyTorch 1.13 stream, shared by all parameters
///    in the order they are initialized (element_offset must be 0).
class INITFORGE_API RandomSource {
 public:
  virtual ~RandomSource();
  virtual RngKind kind() const = 0;
  virtual std::uint64_t seed() const = 0;
  virtual std::shared_ptr<Generator> generator_for(
      std::string_view path, std::int64_t element_offset = 0) = 0;

  static std::unique_ptr<RandomSource> create(RngKind kind, std::uint64_t seed);
};

}  // namespace initforge
