// SPDX-License-Identifier: Apache-2.0
#include "framework/core/shape.h"

#include <limits>

#include "framework/core/error.h"

namespace initforge {

Shape::Shape(std::initializer_list<std::int64_t> dims)
    : Shape(std::span<const std::int64_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const std::int64_t> dims) {
  if (dims.size() > kMaxRank) {
    throw ShapeError(
        "shape has " + std::to_string(dims.size()) + " dimensions; at most " +
        std::to_string(kMaxRank) + " are supported");
  }
  rank_ = dims.size();
  numel_ = 1;
  bool has_zero = false;
  for (std::size_t i = 0; i < rank_; ++i) {
    dims_[i] = dims[i];
    if (dims[i] < 0) {
      throw ShapeError(
          "dimension " + std::to_string(i) + " is " + std::to_string(dims[i]) +
          "; expected a size >= 0");
    }
    has_zero = has_zero || dims[i] == 0;
  }
  // Check overflow on the non-zero dims so [0, huge, huge] is still rejected.
  for (std::size_t i = 0; i < rank_; ++i) {
    const std::int64_t d = dims_[i] == 0 ? 1 : dims_[i];
    if (numel_ > std::numeric_limits<std::int64_t>::max() / d) {
      std::string text = "[";
      for (std::size_t k = 0; k < rank_; ++k) {
        text += (k ? ", " : "") + std::to_string(dims_[k]);
      }
      throw ShapeError("shape " + text + "] has more than 2^63 elements");
    }
    numel_ *= d;
  }
  if (has_zero) numel_ = 0;
}

bool Shape::operator==(const Shape& other) const {
  if (rank_ != other.rank_) return false;
  for (std::size_t i = 0; i < rank_; ++i) {
    if (dims_[i] != other.dims_[i]) return false;
  }
  return true;
}

std::string Shape::to_string() const {
  std::string text = "[";
  for (std::size_t i = 0; i < rank_; ++i) {
    if (i) text += ", ";
    text += std::to_string(dims_[i]);
  }
  return text + "]";
}

}  // namespace initforge
