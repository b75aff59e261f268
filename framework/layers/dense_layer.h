// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: what the dense layers (Linear, Conv1d, Conv2d, ConvTranspose2d)
// share once their primitive descriptors exist: parameters, the input
// reorder, forward, backward, gradients. Each layer only describes its
// primitives in prepare().

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/layers/dense_backward.h"
#include "framework/layers/dense_params.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer.h"

namespace initforge::layers_detail {

/// The layer table's weight and bias of the dense layers, with PyTorch's
/// reset_parameters: kaiming_uniform_(a=sqrt(5)), then a bias
/// U(+-1/sqrt(fan_in)) that exists with "bias": true. The shapes are docs.
std::vector<LayerParam> dense_layer_params(
    std::string weight_shape, std::string bias_shape);

class DenseLayer : public Layer {
 public:
  DenseLayer(
      std::string_view type,
      const Shape& weight_shape,
      const memory::dims& weight_dims,
      bool bias);
  /// A weight whose PyTorch layout is not row-major in oneDNN's dims
  /// (DenseParams' second constructor); `bias_size` 0: no bias.
  DenseLayer(
      std::string_view type,
      const Shape& weight_shape,
      const memory::desc& weight_logical,
      std::int64_t bias_size);

  std::vector<ParamDecl> params() const override;
  void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> buffers) override;
  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override;
  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& dst,
      const memory& diff_dst,
      std::span<const memory> diff_src) override;
  void param_grads(DnnlContext& ctx, std::span<const TensorView> out) override;

 protected:
  /// The end of a derived prepare(): creates the forward primitive from
  /// `forward`, plans the input reorder from `given_src` and the parameter
  /// layouts; with both backward pds (Phase::Training) plans backward too.
  /// Returns the dst layout.
  memory::desc finish_prepare(
      DnnlContext& ctx,
      const memory::desc& given_src,
      const dnnl::primitive_desc& forward,
      const dnnl::primitive_desc* bwd_data,
      const dnnl::primitive_desc* bwd_weights);

 private:
  DenseParams params_;
  dnnl::primitive primitive_;
  InputAdapter input_;
  DenseBackward backward_;
  std::unordered_map<int, memory> args_;
};

}  // namespace initforge::layers_detail
