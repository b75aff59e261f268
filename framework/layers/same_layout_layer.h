// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: the base of the layers that run one forward primitive and its
// backward in the producer's layout (activations, pooling, softmax). Each
// only describes its primitives in prepare(); running them is shared.

#include <span>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer.h"

namespace initforge::layers_detail {

class SameLayoutLayer : public Layer {
 public:
  void forward(
      DnnlContext& ctx, std::span<const memory> src, const memory& dst) final {
    primitives_.forward(ctx, src[0], dst);
  }

  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& dst,
      const memory& diff_dst,
      std::span<const memory> diff_src) final {
    primitives_.backward(ctx, type(), src, dst, diff_dst, diff_src);
  }

 protected:
  /// What prepare() fills: the forward and (training) backward primitives.
  SameLayoutPrimitives primitives_;
};

}  // namespace initforge::layers_detail
