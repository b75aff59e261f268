// SPDX-License-Identifier: Apache-2.0
// permutation(): Fisher-Yates on the sequential words of one philox draw
// (contract in philox_generator.cpp).
#include <cstdint>
#include <span>
#include <utility>

#include "framework/core/rng/philox_kernels.h"

namespace initforge::philox {
namespace {

// Sequential words of one draw for permutation().
class WordStream {
 public:
  WordStream(const std::uint32_t key[2], std::uint64_t draw)
      : key_{key[0], key[1]}, draw_(draw) {}

  std::uint32_t next() {
    if (pos_ == 4) {
      const std::uint32_t ctr[4] = {
          static_cast<std::uint32_t>(block_),
          static_cast<std::uint32_t>(block_ >> 32),
          static_cast<std::uint32_t>(draw_),
          static_cast<std::uint32_t>(draw_ >> 32)};
      philox4x32_10(ctr, key_, words_);
      ++block_;
      pos_ = 0;
    }
    return words_[pos_++];
  }

  // Uniform integer in [0, bound), Lemire's nearly-divisionless method.
  std::uint64_t bounded(std::uint64_t bound) {
    if (bound <= 0xFFFFFFFFULL) {
      const auto b = static_cast<std::uint32_t>(bound);
      std::uint64_t m = std::uint64_t{next()} * b;
      if (static_cast<std::uint32_t>(m) < b) {
        const std::uint32_t t = (0u - b) % b;
        while (static_cast<std::uint32_t>(m) < t) m = std::uint64_t{next()} * b;
      }
      return m >> 32;
    }
    __extension__ using U128 = unsigned __int128;
    auto next64 = [this] {
      const std::uint64_t hi = next();
      return (hi << 32) | next();
    };
    U128 m = static_cast<U128>(next64()) * bound;
    if (static_cast<std::uint64_t>(m) < bound) {
      const std::uint64_t t = (0 - bound) % bound;
      while (static_cast<std::uint64_t>(m) < t) {
        m = static_cast<U128>(next64()) * bound;
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

 private:
  std::uint32_t key_[2];
  std::uint64_t draw_;
  std::uint64_t block_ = 0;
  std::uint32_t words_[4] = {0, 0, 0, 0};
  int pos_ = 4;
};

}  // namespace

void shuffle_identity(
    const std::uint32_t key[2],
    std::uint64_t draw,
    std::span<std::int64_t> dst) {
  for (std::size_t i = 0; i < dst.size(); ++i) {
    dst[i] = static_cast<std::int64_t>(i);
  }
  WordStream words(key, draw);
  for (std::size_t i = dst.size(); i > 1; --i) {
    const std::uint64_t j = words.bounded(i);
    std::swap(dst[i - 1], dst[j]);
  }
}

}  // namespace initforge::philox
