// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "framework/core/rng/torch_kernels.h"
#include "framework/core/rng/torch_mt_words.h"

namespace initforge::torch_rng {

/// at::mt19937 as torch.manual_seed sets it up: init_genrand on the low 32
/// bits, twist on the first draw. The twist runs a whole state at a time
/// through the kernel table, and bulk consumers temper the words themselves.
class Mt19937 {
 public:
  Mt19937(std::uint32_t seed, const Kernels& kernels) : kernels_(&kernels) {
    state_[0] = seed;
    for (std::uint32_t i = 1; i < kStateWords; ++i) {
      const std::uint32_t prev = state_[i - 1];
      state_[i] = 1812433253U * (prev ^ (prev >> 30)) + i;
    }
  }

  /// One 32-bit output (CPUGeneratorImpl::random).
  std::uint32_t next() {
    if (pos_ == kStateWords) refill();
    return temper_word(state_[pos_++]);
  }

  /// Two outputs, the first as the high word (CPUGeneratorImpl::random64).
  std::uint64_t next64() {
    const std::uint64_t hi = next();
    return (hi << 32) | next();
  }

  /// Hands the next n untempered state words to `sink(raw, count)` in runs
  /// of at most one state.
  template <class Sink>
  void consume(std::size_t n, Sink&& sink) {
    while (n > 0) {
      if (pos_ == kStateWords) refill();
      const std::size_t take = std::min(n, kStateWords - pos_);
      sink(state_.data() + pos_, take);
      pos_ += take;
      n -= take;
    }
  }

 private:
  void refill() {
    kernels_->twist(state_.data());
    pos_ = 0;
  }

  const Kernels* kernels_;
  alignas(64) std::array<std::uint32_t, kStateWords> state_{};
  std::size_t pos_ = kStateWords;
};

}  // namespace initforge::torch_rng
