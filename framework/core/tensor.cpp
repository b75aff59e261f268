// SPDX-License-Identifier: Apache-2.0
#include "framework/core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/mman.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

float* allocate(const Shape& shape) {
  const auto count = static_cast<std::size_t>(shape.numel());
  if (count > SIZE_MAX / sizeof(float) - kHugePage) {
    throw ShapeError("tensor of shape " + shape.to_string() + " is too large");
  }
  const std::size_t bytes = count * sizeof(float);
  // Big buffers are huge-page aligned so the kernel can back them with THP.
  const std::size_t align = bytes >= kHugePage ? kHugePage : Tensor::kAlignment;
  const std::size_t rounded = (bytes + align - 1) / align * align;
  void* p = std::aligned_alloc(align, rounded == 0 ? align : rounded);
  if (p == nullptr) {
    throw MemoryError(
        "cannot allocate " + std::to_string(bytes) +
        " bytes for a tensor of shape " + shape.to_string());
  }
  if (bytes >= kHugePage) {
    madvise(p, rounded, MADV_HUGEPAGE);  // advisory: failure is harmless
  }
  return static_cast<float*>(p);
}

}  // namespace

void Tensor::Free::operator()(float* p) const noexcept {
  std::free(p);
}

Tensor Tensor::empty(const Shape& shape) {
  Tensor t;
  t.shape_ = shape;
  t.data_.reset(allocate(shape));
  return t;
}

Tensor Tensor::zeros(const Shape& shape) {
  Tensor t = empty(shape);
  t.prefault();
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_);
  if (numel() > 0) {
    std::memcpy(
        t.data(), data(), static_cast<std::size_t>(numel()) * sizeof(float));
  }
  return t;
}

void Tensor::prefault() {
  const std::int64_t n = numel();
  float* p = data();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) p[i] = 0.0f;
}

}  // namespace initforge
