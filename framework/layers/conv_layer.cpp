// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/conv_layer.h"

#include "framework/core/error.h"
#include "framework/core/error_text.h"

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

ArgSpec conv_out_channels() {
  return ArgSpec::required_integer("out_channels", "output channels")
      .at_least(1);
}

ArgSpec conv_kernel_size(int spatial) {
  ArgSpec spec =
      spatial == 1
          ? ArgSpec::required_integer("kernel_size", "kernel length")
          : ArgSpec::required_int_pair("kernel_size", "kernel height, width");
  spec.at_least(1).at_most(kMaxSpatialOption);
  return spec;
}

ArgSpec conv_spatial(
    int spatial,
    std::string name,
    std::int64_t value,
    std::int64_t least,
    std::string doc) {
  ArgSpec spec = spatial == 1 ? ArgSpec::integer(name, value, doc)
                              : ArgSpec::int_pair(name, {value, value}, doc);
  spec.at_least(static_cast<double>(least)).at_most(kMaxSpatialOption);
  return spec;
}

ArgSpec conv_groups() {
  return ArgSpec::integer("groups", 1, "blocked connections in to out")
      .at_least(1);
}

ArgSpec conv_bias() {
  return ArgSpec::boolean("bias", true, "learn an additive bias");
}

std::vector<ArgSpec> conv_args(int spatial) {
  return {
      conv_out_channels(),
      conv_kernel_size(spatial),
      conv_spatial(spatial, "stride", 1, 1, "step between outputs"),
      conv_spatial(spatial, "padding", 0, 0, "zeros added on each side"),
      conv_spatial(spatial, "dilation", 1, 1, "spacing between kernel taps"),
      conv_groups(),
      conv_bias()};
}

void check_conv_groups(const Args& a) {
  if (a.integer("out_channels") % a.integer("groups") != 0) {
    throw ArgumentError(
        "groups",
        with_got(
            "out_channels (" + std::to_string(a.integer("out_channels")) +
                ") must be divisible by groups",
            std::to_string(a.integer("groups"))));
  }
}

void check_conv_input(
    std::string_view type,
    const Shape& in,
    int spatial,
    std::string_view layout,
    std::int64_t groups) {
  const std::string name(type);
  if (in.rank() != static_cast<std::size_t>(spatial) + 1) {
    throw ShapeError(
        name + ": " +
        expected_got(
            "a " + std::to_string(spatial + 1) + "-D input " +
                std::string(layout) + " per sample",
            in.to_string()));
  }
  if (in[0] % groups != 0) {
    throw ShapeError(
        name + ": " +
        expected_got(
            "in_channels divisible by groups " + std::to_string(groups),
            "in_channels " + std::to_string(in[0]) + " (input " +
                in.to_string() + ")"));
  }
}

memory::desc ConvLayer::prepare(
    DnnlContext& ctx,
    std::int64_t batch,
    std::span<const memory::desc> src,
    Phase phase) {
  expect_src_descs(type_, src, batch, {&input_, 1});
  const ConvGeometry g = geometry(batch);
  // Direct algorithms only: Winograd changes the numerics.
  const ConvPds pds =
      kind_ == ConvKind::Convolution
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
    return finish_prepare(ctx, src[0], pds.forward, nullptr, nullptr);
  }
  return finish_prepare(ctx, src[0], pds.forward, &pds.data, &pds.weights);
}

}  // namespace initforge::layers_detail
