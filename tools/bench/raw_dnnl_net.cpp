// SPDX-License-Identifier: Apache-2.0
#include "tools/bench/raw_dnnl_net.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace initforge::bench {
namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

tag plain_tag(std::size_t rank) {
  switch (rank) {
    case 2:
      return tag::ab;
    case 3:
      return tag::abc;
    case 4:
      return tag::abcd;
    default:
      throw std::runtime_error(
          "raw baseline: activations of rank " + std::to_string(rank) +
          " are not supported");
  }
}

memory::dim product(const memory::dims& d, std::size_t from) {
  memory::dim n = 1;
  for (std::size_t i = from; i < d.size(); ++i) n *= d[i];
  return n;
}

// PyTorch's output size for a window (ceil_mode off).
memory::dim out_size(
    memory::dim in,
    memory::dim k,
    memory::dim s,
    memory::dim p,
    memory::dim d) {
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

}  // namespace

RawDnnlNet::RawDnnlNet(
    const Shape& input,
    std::span<const LayerSpec> layers,
    std::int64_t batch,
    std::vector<std::span<const float>> params)
    : params_(std::move(params)) {
  memory::dims dims{batch};
  for (std::int64_t d : input.dims()) dims.push_back(d);
  input_ = memory({dims, dt::f32, plain_tag(dims.size())}, engine_);
  cur_ = {input_, dims};
  using dnnl::algorithm;
  for (const LayerSpec& layer : layers) {
    const std::string& type = layer.type_name();
    const Args& a = layer.args;
    if (flattened_ && type != "Flatten" && type != "Linear") {
      throw std::runtime_error("raw baseline: Flatten must precede a Linear");
    }
    if (type == "Linear") {
      add_linear(a);
    } else if (type == "Conv2d") {
      add_conv(a);
    } else if (type == "MaxPool2d") {
      add_pool(algorithm::pooling_max, a);
    } else if (type == "AvgPool2d") {
      add_pool(
          a.boolean("count_include_pad")
              ? algorithm::pooling_avg_include_padding
              : algorithm::pooling_avg_exclude_padding,
          a);
    } else if (type == "ReLU") {
      add_eltwise(algorithm::eltwise_relu, 0.0f);
    } else if (type == "LeakyReLU") {
      add_eltwise(
          algorithm::eltwise_relu,
          static_cast<float>(a.number("negative_slope")));
    } else if (type == "Tanh") {
      add_eltwise(algorithm::eltwise_tanh, 0.0f);
    } else if (type == "Sigmoid") {
      add_eltwise(algorithm::eltwise_logistic, 0.0f);
    } else if (type == "GELU") {
      add_eltwise(
          a.string("approximate") == "tanh" ? algorithm::eltwise_gelu_tanh
                                            : algorithm::eltwise_gelu_erf,
          0.0f);
    } else if (type == "Softmax") {
      add_softmax(a.integer("dim"));
    } else if (type == "Flatten") {
      flatten();
    } else {
      throw std::runtime_error(
          "raw baseline: layer type " + type + " is not supported");
    }
  }
  if (!params_.empty() && next_param_ != params_.size()) {
    throw std::runtime_error(
        "raw baseline: " + std::to_string(params_.size()) +
        " parameters given, the layers take " + std::to_string(next_param_));
  }
  const memory::desc plain{cur_.dims, dt::f32, plain_tag(cur_.dims.size())};
  output_ = as_layout(plain);
}

std::span<float> RawDnnlNet::input() {
  return {
      static_cast<float*>(input_.get_data_handle()),
      input_.get_desc().get_size() / sizeof(float)};
}

std::span<const float> RawDnnlNet::output() const {
  return {
      static_cast<const float*>(output_.get_data_handle()),
      output_.get_desc().get_size() / sizeof(float)};
}

void RawDnnlNet::forward() {
  for (Step& step : steps_) {
    step.primitive.execute(stream_, step.args);
  }
  stream_.wait();
}

void RawDnnlNet::flatten() {
  if (cur_.dims.size() <= 2) return;
  const memory::dims flat{cur_.dims[0], product(cur_.dims, 1)};
  if (cur_.mem.get_desc() ==
      memory::desc{cur_.dims, dt::f32, plain_tag(cur_.dims.size())}) {
    // Row-major already is [N, C*H*W]: a free reinterpretation.
    cur_ = {
        memory({flat, dt::f32, tag::ab}, engine_, cur_.mem.get_data_handle()),
        flat};
  } else {
    // The Linear that follows reads the 4-D source as it lies.
    flattened_ = true;
  }
}

memory RawDnnlNet::as_layout(const memory::desc& want) {
  if (cur_.mem.get_desc() == want) return cur_.mem;
  memory out(want, engine_);
  steps_.push_back(
      {dnnl::reorder(cur_.mem, out),
       {{DNNL_ARG_SRC, cur_.mem}, {DNNL_ARG_DST, out}}});
  cur_.mem = out;
  return out;
}

memory RawDnnlNet::weights(
    const memory::desc& want,
    const memory::dims& dims,
    tag logical,
    std::int64_t fan_in) {
  memory plain({dims, dt::f32, logical}, engine_);
  auto* p = static_cast<float*>(plain.get_data_handle());
  const auto count = static_cast<std::size_t>(product(dims, 0));
  if (!params_.empty()) {
    if (next_param_ == params_.size() || params_[next_param_].size() != count) {
      throw std::runtime_error(
          "raw baseline: parameter " + std::to_string(next_param_) +
          " does not have the layer's " + std::to_string(count) + " values");
    }
    std::copy_n(params_[next_param_++].data(), count, p);
  } else {
    const float bound = std::sqrt(6.0f / static_cast<float>(fan_in));
    std::mt19937 rng(static_cast<std::uint32_t>(seed_++));
    std::uniform_real_distribution<float> u(-bound, bound);
    for (std::size_t i = 0; i < count; ++i) p[i] = u(rng);
  }
  if (plain.get_desc() == want) return plain;
  memory out(want, engine_);
  dnnl::reorder(plain, out).execute(stream_, plain, out);
  stream_.wait();
  return out;
}

void RawDnnlNet::add_linear(const Args& a) {
  const memory::dims& in = cur_.dims;
  if (in.size() != 2 && !(flattened_ && in.size() == 4)) {
    throw std::runtime_error("raw baseline: Linear needs a 2-D input");
  }
  const memory::dim n = in[0], out = a.integer("out_features");
  const bool bias = a.boolean("bias");
  memory::dims wdims{out};
  wdims.insert(wdims.end(), in.begin() + 1, in.end());
  const memory::desc src = cur_.mem.get_desc();
  const memory::desc w_any{wdims, dt::f32, tag::any};
  const memory::desc b_md{{out}, dt::f32, tag::a};
  const memory::desc dst_any{{n, out}, dt::f32, tag::any};
  const auto pk = dnnl::prop_kind::forward_inference;
  const auto d =
      bias ? dnnl::inner_product_forward::desc(pk, src, w_any, b_md, dst_any)
           : dnnl::inner_product_forward::desc(pk, src, w_any, dst_any);
  const dnnl::inner_product_forward::primitive_desc pd(d, engine_);
  const memory::dim fan_in = product(in, 1);
  Step step{dnnl::inner_product_forward(pd), {}};
  step.args.emplace(DNNL_ARG_SRC, as_layout(pd.src_desc()));
  step.args.emplace(
      DNNL_ARG_WEIGHTS,
      weights(
          pd.weights_desc(),
          wdims,
          in.size() == 4 ? tag::abcd : tag::ab,
          fan_in));
  if (bias) {
    step.args.emplace(DNNL_ARG_BIAS, weights(b_md, {out}, tag::a, fan_in));
  }
  memory dst(pd.dst_desc(), engine_);
  step.args.emplace(DNNL_ARG_DST, dst);
  steps_.push_back(std::move(step));
  flops_ += 2.0 * static_cast<double>(n * fan_in * out);
  cur_ = {dst, {n, out}};
  flattened_ = false;
}

void RawDnnlNet::add_conv(const Args& a) {
  const struct {
    memory::dim out_channels, groups;
    IntPair kernel_size, stride, padding, dilation;
    bool bias;
  } o{a.integer("out_channels"),
      a.integer("groups"),
      a.int_pair("kernel_size"),
      a.int_pair("stride"),
      a.int_pair("padding"),
      a.int_pair("dilation"),
      a.boolean("bias")};
  const memory::dims& in = cur_.dims;
  if (in.size() != 4) {
    throw std::runtime_error("raw baseline: Conv2d needs a 4-D input");
  }
  const memory::dim n = in[0], ic = in[1], oc = o.out_channels, g = o.groups;
  const memory::dims out{
      n,
      oc,
      out_size(
          in[2], o.kernel_size[0], o.stride[0], o.padding[0], o.dilation[0]),
      out_size(
          in[3], o.kernel_size[1], o.stride[1], o.padding[1], o.dilation[1])};
  const memory::dims wdims =
      g == 1
          ? memory::dims{oc, ic, o.kernel_size[0], o.kernel_size[1]}
          : memory::dims{g, oc / g, ic / g, o.kernel_size[0], o.kernel_size[1]};
  const memory::desc src_any{in, dt::f32, tag::any};
  const memory::desc w_any{wdims, dt::f32, tag::any};
  const memory::desc b_md{{oc}, dt::f32, tag::a};
  const memory::desc dst_any{out, dt::f32, tag::any};
  const memory::dims strides{o.stride[0], o.stride[1]};
  const memory::dims dil{o.dilation[0] - 1, o.dilation[1] - 1};
  const memory::dims pad{o.padding[0], o.padding[1]};
  const auto pk = dnnl::prop_kind::forward_inference;
  const auto alg = dnnl::algorithm::convolution_direct;
  const auto d =
      o.bias
          ? dnnl::convolution_forward::desc(
                pk, alg, src_any, w_any, b_md, dst_any, strides, dil, pad, pad)
          : dnnl::convolution_forward::desc(
                pk, alg, src_any, w_any, dst_any, strides, dil, pad, pad);
  const dnnl::convolution_forward::primitive_desc pd(d, engine_);
  const memory::dim fan_in = ic / g * o.kernel_size[0] * o.kernel_size[1];
  Step step{dnnl::convolution_forward(pd), {}};
  step.args.emplace(DNNL_ARG_SRC, as_layout(pd.src_desc()));
  step.args.emplace(
      DNNL_ARG_WEIGHTS,
      weights(
          pd.weights_desc(), wdims, g == 1 ? tag::abcd : tag::abcde, fan_in));
  if (o.bias) {
    step.args.emplace(DNNL_ARG_BIAS, weights(b_md, {oc}, tag::a, fan_in));
  }
  memory dst(pd.dst_desc(), engine_);
  step.args.emplace(DNNL_ARG_DST, dst);
  steps_.push_back(std::move(step));
  flops_ += 2.0 * static_cast<double>(product(out, 0) * fan_in);
  cur_ = {dst, out};
}

void RawDnnlNet::add_pool(dnnl::algorithm alg, const Args& a) {
  const IntPair k = a.int_pair("kernel_size");
  IntPair s = a.int_pair("stride");
  const IntPair p = a.int_pair("padding");
  const memory::dims& in = cur_.dims;
  if (in.size() != 4) {
    throw std::runtime_error("raw baseline: pooling needs a 4-D input");
  }
  if (s[0] == 0) s = k;  // PyTorch: stride defaults to the kernel size
  const memory::dims out{
      in[0],
      in[1],
      out_size(in[2], k[0], s[0], p[0], 1),
      out_size(in[3], k[1], s[1], p[1], 1)};
  const dnnl::pooling_forward::desc d(
      dnnl::prop_kind::forward_inference,
      alg,
      cur_.mem.get_desc(),
      memory::desc{out, dt::f32, tag::any},
      {s[0], s[1]},
      {k[0], k[1]},
      {p[0], p[1]},
      {p[0], p[1]});
  const dnnl::pooling_forward::primitive_desc pd(d, engine_);
  memory dst(pd.dst_desc(), engine_);
  steps_.push_back(
      {dnnl::pooling_forward(pd),
       {{DNNL_ARG_SRC, cur_.mem}, {DNNL_ARG_DST, dst}}});
  cur_ = {dst, out};
}

void RawDnnlNet::add_eltwise(dnnl::algorithm alg, float alpha) {
  const dnnl::eltwise_forward::desc d(
      dnnl::prop_kind::forward_inference, alg, cur_.mem.get_desc(), alpha);
  const dnnl::eltwise_forward::primitive_desc pd(d, engine_);
  memory dst(pd.dst_desc(), engine_);
  steps_.push_back(
      {dnnl::eltwise_forward(pd),
       {{DNNL_ARG_SRC, cur_.mem}, {DNNL_ARG_DST, dst}}});
  cur_.mem = dst;
}

void RawDnnlNet::add_softmax(std::int64_t axis) {
  const auto rank = static_cast<std::int64_t>(cur_.dims.size());
  if (axis < 0) axis += rank;
  const dnnl::softmax_forward::desc d(
      dnnl::prop_kind::forward_inference,
      cur_.mem.get_desc(),
      static_cast<int>(axis));
  const dnnl::softmax_forward::primitive_desc pd(d, engine_);
  memory dst(pd.dst_desc(), engine_);
  steps_.push_back(
      {dnnl::softmax_forward(pd),
       {{DNNL_ARG_SRC, cur_.mem}, {DNNL_ARG_DST, dst}}});
  cur_.mem = dst;
}

}  // namespace initforge::bench
