// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal interface of the philox generator: the per-ISA group kernels and
// the switch that tests and benchmarks use to force one. Not a public header.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "framework/core/export.h"

namespace initforge::philox {

/// Elements per group: 16 Philox blocks of 4 words (see philox_generator.cpp).
inline constexpr std::size_t kGroupSize = 64;

/// What a kernel writes for each 32-bit word.
enum class Op { U32, Uniform, Normal, TruncatedNormal };

/// Everything a group kernel needs; float fields are the already-rounded
/// parameters of the op (unused ones are ignored).
struct KernelArgs {
  std::uint32_t key[2] = {0, 0};
  std::uint64_t draw = 0;
  Op op = Op::U32;
  bool stream = false;  // non-temporal stores: fills much larger than cache
  float scale = 1.0f;   // uniform: (to - from) * 2^-24; normal/trunc.: std
  float shift = 0.0f;   // uniform: from; normal/truncated: mean
  float lo = 0.0f;      // truncated: smallest allowed value
  float hi = 0.0f;      // uniform/truncated: largest allowed value
  float pa = 0.0f;      // truncated: Phi(alpha)
  float qb = 0.0f;      // truncated: 1 - Phi(beta)
  float d = 0.0f;       // truncated: Phi(beta) - Phi(alpha)
};

/// Writes the 64 * `groups` 4-byte values of groups [first_group, ...) to
/// `out` (float for the distributions, uint32 for Op::U32).
using GroupKernel = void (*)(
    const KernelArgs& args,
    std::uint64_t first_group,
    std::size_t groups,
    void* out);

void fill_groups_scalar(const KernelArgs&, std::uint64_t, std::size_t, void*);
void fill_groups_avx2(const KernelArgs&, std::uint64_t, std::size_t, void*);
void fill_groups_avx512(const KernelArgs&, std::uint64_t, std::size_t, void*);

/// The instruction sets a kernel exists for; all give identical bits.
enum class Kernel { Scalar, Avx2, Avx512 };

/// "scalar", "avx2", "avx512".
INITFORGE_API std::string_view kernel_name(Kernel kernel);

/// Whether this CPU can run `kernel`.
INITFORGE_API bool kernel_supported(Kernel kernel);

/// The kernel fills use: the forced one, else the best the CPU supports.
INITFORGE_API Kernel active_kernel();

/// Forces a kernel for all later fills (tests and benchmarks only);
/// nullopt restores automatic choice. Throws InvalidArgument if unsupported.
INITFORGE_API void force_kernel(std::optional<Kernel> kernel);

/// The group kernel of `kernel`.
GroupKernel group_kernel(Kernel kernel);

/// The 64-bit Philox key of a parameter (contract in philox_generator.cpp).
INITFORGE_API std::uint64_t derive_key(
    std::uint64_t seed, std::string_view path);

/// Writes a uniformly random permutation of 0 .. dst.size()-1 drawn from
/// the sequential words of `draw` (Fisher-Yates, Lemire's bounded ints).
void shuffle_identity(
    const std::uint32_t key[2],
    std::uint64_t draw,
    std::span<std::int64_t> dst);

/// Philox4x32-10 of one counter block under `key` (reference, scalar).
INITFORGE_API void philox4x32_10(
    const std::uint32_t counter[4],
    const std::uint32_t key[2],
    std::uint32_t out[4]);

}  // namespace initforge::philox
