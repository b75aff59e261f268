// SPDX-License-Identifier: Apache-2.0
#include "framework/core/tensor.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/core/tensor_view.h"

namespace initforge {
namespace {

bool aligned(const void* p, std::uintptr_t alignment) {
  return reinterpret_cast<std::uintptr_t>(p) % alignment == 0;
}

TEST(Tensor, EmptyIsAlignedAndSized) {
  Tensor t = Tensor::empty(Shape{3, 5});
  EXPECT_EQ(t.numel(), 15);
  EXPECT_EQ(t.span().size(), 15u);
  EXPECT_TRUE(aligned(t.data(), Tensor::kAlignment));
}

TEST(Tensor, LargeBufferIsHugePageAligned) {
  Tensor t = Tensor::empty(Shape{1024, 1024});
  EXPECT_TRUE(aligned(t.data(), std::uintptr_t{2} << 20));
}

TEST(Tensor, ZerosIsAllZero) {
  Tensor t = Tensor::zeros(Shape{7, 9});
  for (float v : t.span()) ASSERT_EQ(v, 0.0f);
}

TEST(Tensor, ZeroElementTensorIsValid) {
  Tensor t = Tensor::zeros(Shape{0, 4});
  EXPECT_EQ(t.numel(), 0);
  EXPECT_TRUE(t.span().empty());
  Tensor c = t.clone();
  EXPECT_EQ(c.shape(), (Shape{0, 4}));
}

TEST(Tensor, CloneCopiesValuesIntoNewStorage) {
  Tensor t = Tensor::zeros(Shape{4});
  t.span()[2] = 1.5f;
  Tensor c = t.clone();
  EXPECT_NE(c.data(), t.data());
  EXPECT_EQ(c.span()[2], 1.5f);
}

TEST(Tensor, ViewSharesStorageAndShape) {
  Tensor t = Tensor::zeros(Shape{2, 2});
  TensorView v = t.view();
  v.data()[3] = 4.0f;
  EXPECT_EQ(t.span()[3], 4.0f);
  ConstTensorView cv = v;
  EXPECT_EQ(cv.shape(), (Shape{2, 2}));
}

TEST(TensorView, SizeMismatchIsRejected) {
  std::vector<float> data(5);
  try {
    TensorView v(data, Shape{2, 3});
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(
        e.what(), "view of 5 elements cannot have shape [2, 3] (6 elements)");
  }
}

}  // namespace
}  // namespace initforge
