// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: the convolution family (Conv1d, Conv2d, ConvTranspose2d) as
// dense layers. Each describes its geometry in oneDNN's terms; building the
// (de)convolution forward and backward primitive descriptors is shared.

#include <cstdint>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/layers/dense_layer.h"

namespace initforge::layers_detail {

enum class ConvKind { Convolution, Deconvolution };

/// One convolution in oneDNN's terms, for a given batch.
struct ConvGeometry {
  memory::dims src;      // [N, C, spatial...]
  memory::dims dst;      // [N, C', spatial'...]
  memory::dims weights;  // oneDNN's dims: [O, I, k...] or [g, O/g, I/g, k...]
  memory::dims strides;
  memory::dims dilates;  // oneDNN counts the gaps: PyTorch's dilation - 1
  memory::dims pad_l;
  memory::dims pad_r;
  std::int64_t bias_size = 0;  // 0: no bias
};

/// oneDNN's dilates from PyTorch's dilation: both count differently.
memory::dims onednn_dilates(const memory::dims& dilation);

class ConvLayer : public DenseLayer {
 protected:
  using DenseLayer::DenseLayer;

  /// Creates the direct (de)convolution pds with format_tag::any layouts
  /// (plus both backward pds in Phase::Training) and finishes prepare().
  memory::desc prepare_conv(
      DnnlContext& ctx,
      const memory::desc& given_src,
      Phase phase,
      ConvKind kind,
      const ConvGeometry& g);
};

}  // namespace initforge::layers_detail
