// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/conv_layer.h"

namespace initforge::layers_detail {
namespace {

// The three pds of a training (de)convolution; the backward ones stay
// empty for inference.
struct ConvPds {
  dnnl::primitive_desc forward;
  dnnl::primitive_desc data;
  dnnl::primitive_desc weights;
};

// Convolution and deconvolution take the same descriptor arguments; a zero
// bias desc means no bias.
template <class Fwd, class BwdData, class BwdWeights>
ConvPds make_pds(
    DnnlContext& ctx, Phase phase, dnnl::algorithm alg, const ConvGeometry& g) {
  const auto src = any_desc(g.src);
  const auto dst = any_desc(g.dst);
  const auto w = any_desc(g.weights);
  const auto b = g.bias_size > 0 ? any_desc({g.bias_size}) : memory::desc();
  const dnnl::primitive_attr attr = default_attr();
  const typename Fwd::primitive_desc fwd(
      typename Fwd::desc(
          forward_prop(phase),
          alg,
          src,
          w,
          b,
          dst,
          g.strides,
          g.dilates,
          g.pad_l,
          g.pad_r),
      attr,
      ctx.engine);
  ConvPds pds{fwd, {}, {}};
  if (phase != Phase::Training) {
    return pds;
  }
  pds.data = typename BwdData::primitive_desc(
      typename BwdData::desc(
          alg, src, w, dst, g.strides, g.dilates, g.pad_l, g.pad_r),
      attr,
      ctx.engine,
      fwd);
  pds.weights = typename BwdWeights::primitive_desc(
      typename BwdWeights::desc(
          alg, src, w, b, dst, g.strides, g.dilates, g.pad_l, g.pad_r),
      attr,
      ctx.engine,
      fwd);
  return pds;
}

}  // namespace

memory::dims onednn_dilates(const memory::dims& dilation) {
  memory::dims out;
  for (const memory::dim d : dilation) out.push_back(d - 1);
  return out;
}

memory::desc ConvLayer::prepare_conv(
    DnnlContext& ctx,
    const memory::desc& given_src,
    Phase phase,
    ConvKind kind,
    const ConvGeometry& g) {
  // Direct algorithms only: Winograd changes the numerics.
  const ConvPds pds =
      kind == ConvKind::Convolution
          ? make_pds<
                dnnl::convolution_forward,
                dnnl::convolution_backward_data,
                dnnl::convolution_backward_weights>(
                ctx, phase, dnnl::algorithm::convolution_direct, g)
          : make_pds<
                dnnl::deconvolution_forward,
                dnnl::deconvolution_backward_data,
                dnnl::deconvolution_backward_weights>(
                ctx, phase, dnnl::algorithm::deconvolution_direct, g);
  if (phase != Phase::Training) {
    return finish_prepare(ctx, given_src, pds.forward, nullptr, nullptr);
  }
  return finish_prepare(ctx, given_src, pds.forward, &pds.data, &pds.weights);
}

}  // namespace initforge::layers_detail
