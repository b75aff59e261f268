// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "framework/core/export.h"
#include "framework/core/shape.h"
#include "framework/core/tensor_view.h"

namespace initforge {

/// Owning, 64-byte-aligned, contiguous float32 tensor. Move-only.
class INITFORGE_API Tensor {
 public:
  static constexpr std::size_t kAlignment = 64;

  Tensor() = default;
  /// Uninitialized storage. Large buffers are advised to use huge pages and
  /// are not touched, so the first (parallel) fill does the page faults.
  static Tensor empty(const Shape& shape);
  static Tensor zeros(const Shape& shape);

  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;
  Tensor clone() const;

  const Shape& shape() const {
    return shape_;
  }
  std::int64_t numel() const {
    return shape_.numel();
  }
  float* data() {
    return data_.get();
  }
  const float* data() const {
    return data_.get();
  }
  std::span<float> span() {
    return {data_.get(), static_cast<std::size_t>(numel())};
  }
  std::span<const float> span() const {
    return {data_.get(), static_cast<std::size_t>(numel())};
  }
  TensorView view() {
    return {span(), shape_};
  }
  ConstTensorView view() const {
    return {span(), shape_};
  }

  /// Touches every page from all OpenMP threads (each its own share), so
  /// later timed fills measure the fill rather than page faults.
  void prefault();

 private:
  struct Free {
    void operator()(float* p) const noexcept;
  };
  Shape shape_;
  std::unique_ptr<float[], Free> data_;
};

}  // namespace initforge
