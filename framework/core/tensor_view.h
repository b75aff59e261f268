// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>
#include <string>
#include <type_traits>

#include "framework/core/error.h"
#include "framework/core/shape.h"

namespace initforge {

/// Non-owning row-major view: a span of floats plus its shape. Cheap to copy.
template <class T>
class BasicTensorView {
 public:
  BasicTensorView(std::span<T> data, Shape shape) : data_(data), shape_(shape) {
    if (static_cast<std::int64_t>(data.size()) != shape.numel()) {
      throw ShapeError(
          "view of " + std::to_string(data.size()) +
          " elements cannot have shape " + shape.to_string() + " (" +
          std::to_string(shape.numel()) + " elements)");
    }
  }
  // A mutable view converts to a const one.
  template <class U>
  requires std::is_same_v<T, const U> BasicTensorView(BasicTensorView<U> other)
      : data_(other.data()), shape_(other.shape()) {}

  std::span<T> data() const {
    return data_;
  }
  const Shape& shape() const {
    return shape_;
  }
  std::int64_t numel() const {
    return shape_.numel();
  }

 private:
  std::span<T> data_;
  Shape shape_;
};

using TensorView = BasicTensorView<float>;
using ConstTensorView = BasicTensorView<const float>;

}  // namespace initforge
