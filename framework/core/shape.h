// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

#include "framework/core/export.h"

namespace initforge {

/// Dimensions of a row-major tensor; fixed capacity, so copies never allocate.
/// Construction checks every dimension is >= 0 and numel() fits in int64.
class INITFORGE_API Shape {
 public:
  static constexpr std::size_t kMaxRank = 8;

  Shape() = default;  // rank 0: a scalar with one element
  Shape(std::initializer_list<std::int64_t> dims);
  explicit Shape(std::span<const std::int64_t> dims);

  std::size_t rank() const {
    return rank_;
  }
  std::int64_t operator[](std::size_t axis) const {
    return dims_[axis];
  }
  std::span<const std::int64_t> dims() const {
    return {dims_.data(), rank_};
  }
  std::int64_t numel() const {
    return numel_;
  }
  bool operator==(const Shape& other) const;

  /// "[3, 4]"; "[]" for a scalar.
  std::string to_string() const;

 private:
  std::array<std::int64_t, kMaxRank> dims_{};
  std::size_t rank_ = 0;
  std::int64_t numel_ = 1;
};

}  // namespace initforge
