// SPDX-License-Identifier: Apache-2.0
#include "tools/bench/raw_dnnl_net.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>

#include "framework/core/error_text.h"

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

memory::desc plain_desc(const memory::dims& dims) {
  return {dims, dt::f32, plain_tag(dims.size())};
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

// AdaptiveAvgPool2d's windows along one axis as one kernel and stride, when
// PyTorch's windows [floor(i·in/out), ceil((i+1)·in/out)) are all alike.
std::optional<std::pair<memory::dim, memory::dim>> uniform_windows(
    memory::dim in, memory::dim out) {
  if (out == 1) return std::pair{in, in};
  if (out > in) return std::nullopt;
  const auto start = [&](memory::dim i) { return i * in / out; };
  const auto end = [&](memory::dim i) {
    return ((i + 1) * in + out - 1) / out;
  };
  const memory::dim kernel = end(0) - start(0), stride = start(1) - start(0);
  for (memory::dim i = 0; i < out; ++i) {
    if (start(i) != i * stride || end(i) - start(i) != kernel) {
      return std::nullopt;
    }
  }
  return std::pair{kernel, stride};
}

}  // namespace

RawDnnlNet::RawDnnlNet(
    const Shape& input,
    std::span<const LayerConfig> layers,
    std::int64_t batch,
    std::vector<std::span<const float>> params,
    std::vector<std::span<const float>> buffers)
    : params_{std::move(params), 0, "parameter"},
      buffers_{std::move(buffers), 0, "buffer"} {
  if (layers.empty()) {
    throw std::runtime_error("raw baseline: no layers");
  }
  memory::dims dims{batch};
  for (std::int64_t d : input.dims()) dims.push_back(d);
  input_ = memory(plain_desc(dims), engine_);
  // Node 0 is the model input, node i + 1 layer i; reserved, as layers keep
  // pointers to their inputs' entries while they are built.
  std::vector<Activation> nodes;
  nodes.reserve(layers.size() + 1);
  nodes.push_back({input_, dims});
  std::unordered_map<std::string, std::size_t> index{{"input", 0}};
  for (const LayerConfig& layer : layers) {
    std::vector<Activation*> in;
    if (layer.inputs.empty()) in.push_back(&nodes.back());
    for (const std::string& name : layer.inputs) {
      const auto it = index.find(name);
      if (it == index.end()) {
        throw std::runtime_error(
            "raw baseline: layer " + layer.name + " reads unknown input " +
            name);
      }
      in.push_back(&nodes[it->second]);
    }
    nodes.push_back(add_layer(layer, std::move(in)));
    index[layer.name] = nodes.size() - 1;
  }
  for (const Values* v : {&params_, &buffers_}) {
    if (!v->given.empty() && v->next != v->given.size()) {
      throw std::runtime_error(
          "raw baseline: " + std::to_string(v->given.size()) + " " + v->what +
          "s given, the layers take " + std::to_string(v->next));
    }
  }
  // A flat output is the row-major 4-D tensor, byte for byte.
  output_ = as_layout(nodes.back(), plain_desc(nodes.back().dims));
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

RawDnnlNet::Activation RawDnnlNet::add_layer(
    const LayerConfig& layer, std::vector<Activation*> in) {
  const std::string& type = layer.spec.type_name();
  const Args& a = layer.spec.args;
  if (type == "Add") {
    return add_sum(in);
  }
  if (in.size() != 1) {
    throw std::runtime_error(with_got(
        "raw baseline: layer " + layer.name + " (" + type + ") takes one input",
        std::to_string(in.size())));
  }
  Activation& x = *in[0];
  if (x.flat && type != "Flatten" && type != "Linear") {
    throw std::runtime_error(
        "raw baseline: Flatten must precede a Linear (" + layer.name + ")");
  }
  using dnnl::algorithm;
  if (type == "Linear") return add_linear(x, a);
  if (type == "Conv2d") return add_conv(x, a);
  if (type == "BatchNorm2d") return add_batch_norm(x, a);
  if (type == "MaxPool2d" || type == "AvgPool2d") {
    const algorithm alg = type == "MaxPool2d" ? algorithm::pooling_max
                          : a.boolean("count_include_pad")
                              ? algorithm::pooling_avg_include_padding
                              : algorithm::pooling_avg_exclude_padding;
    IntPair stride = a.int_pair("stride");
    if (stride[0] == 0) stride = a.int_pair("kernel_size");  // PyTorch: None
    return add_pool(
        x, alg, a.int_pair("kernel_size"), stride, a.int_pair("padding"));
  }
  if (type == "AdaptiveAvgPool2d") return add_adaptive_avg_pool(x, a);
  if (type == "ReLU") return add_eltwise(x, algorithm::eltwise_relu, 0.0f);
  if (type == "LeakyReLU") {
    return add_eltwise(
        x,
        algorithm::eltwise_relu,
        static_cast<float>(a.number("negative_slope")));
  }
  if (type == "Tanh") return add_eltwise(x, algorithm::eltwise_tanh, 0.0f);
  if (type == "Sigmoid") {
    return add_eltwise(x, algorithm::eltwise_logistic, 0.0f);
  }
  if (type == "GELU") {
    return add_eltwise(
        x,
        a.string("approximate") == "tanh" ? algorithm::eltwise_gelu_tanh
                                          : algorithm::eltwise_gelu_erf,
        0.0f);
  }
  if (type == "Softmax") return add_softmax(x, a.integer("dim"));
  if (type == "Flatten") return flatten(x);
  throw std::runtime_error(
      "raw baseline: layer type " + type + " is not supported");
}

RawDnnlNet::Activation RawDnnlNet::flatten(Activation& in) {
  if (in.dims.size() <= 2) return {in.mem, in.dims, in.flat};
  const memory::dims flat{in.dims[0], product(in.dims, 1)};
  if (in.mem.get_desc() == plain_desc(in.dims)) {
    // Row-major already is [N, C*H*W]: a free reinterpretation.
    return {
        memory({flat, dt::f32, tag::ab}, engine_, in.mem.get_data_handle()),
        flat};
  }
  // The Linear that follows reads the 4-D source as it lies.
  return {in.mem, in.dims, true};
}

memory RawDnnlNet::as_layout(Activation& in, const memory::desc& want) {
  if (in.mem.get_desc() == want) return in.mem;
  for (const memory& copy : in.copies) {
    if (copy.get_desc() == want) return copy;
  }
  memory out(want, engine_);
  steps_.push_back(
      {dnnl::reorder(in.mem, out),
       {{DNNL_ARG_SRC, in.mem}, {DNNL_ARG_DST, out}}});
  in.copies.push_back(out);
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
  if (!params_.given.empty()) {
    if (params_.next == params_.given.size() ||
        params_.given[params_.next].size() != count) {
      throw std::runtime_error(
          "raw baseline: parameter " + std::to_string(params_.next) +
          " does not have the layer's " + std::to_string(count) + " values");
    }
    std::copy_n(params_.given[params_.next++].data(), count, p);
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

memory RawDnnlNet::vector(
    Values& from, std::int64_t count, float low, float span) {
  memory m({{count}, dt::f32, tag::a}, engine_);
  auto* p = static_cast<float*>(m.get_data_handle());
  const auto n = static_cast<std::size_t>(count);
  if (!from.given.empty()) {
    if (from.next == from.given.size() || from.given[from.next].size() != n) {
      throw std::runtime_error(
          std::string("raw baseline: ") + from.what + " " +
          std::to_string(from.next) + " does not have the layer's " +
          std::to_string(n) + " values");
    }
    std::copy_n(from.given[from.next++].data(), n, p);
  } else {
    std::mt19937 rng(static_cast<std::uint32_t>(seed_++));
    std::uniform_real_distribution<float> u(low, low + span);
    for (std::size_t i = 0; i < n; ++i) p[i] = u(rng);
  }
  return m;
}

RawDnnlNet::Activation RawDnnlNet::add_linear(Activation& x, const Args& a) {
  const memory::dims& in = x.dims;
  if (in.size() != 2 && !(x.flat && in.size() == 4)) {
    throw std::runtime_error("raw baseline: Linear needs a 2-D input");
  }
  const memory::dim n = in[0], out = a.integer("out_features");
  const bool bias = a.boolean("bias");
  memory::dims wdims{out};
  wdims.insert(wdims.end(), in.begin() + 1, in.end());
  const memory::desc src = x.mem.get_desc();
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
  step.args.emplace(DNNL_ARG_SRC, as_layout(x, pd.src_desc()));
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
  return {dst, {n, out}};
}

RawDnnlNet::Activation RawDnnlNet::add_conv(Activation& x, const Args& a) {
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
  const memory::dims& in = x.dims;
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
  step.args.emplace(DNNL_ARG_SRC, as_layout(x, pd.src_desc()));
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
  return {dst, out};
}

// Inference: (x - running_mean) / sqrt(running_var + eps) * weight + bias,
// in the incoming layout.
RawDnnlNet::Activation RawDnnlNet::add_batch_norm(
    Activation& x, const Args& a) {
  if (x.dims.size() != 4) {
    throw std::runtime_error("raw baseline: BatchNorm2d needs a 4-D input");
  }
  using dnnl::normalization_flags;
  const dnnl::batch_normalization_forward::desc d(
      dnnl::prop_kind::forward_inference,
      x.mem.get_desc(),
      static_cast<float>(a.number("eps")),
      normalization_flags::use_global_stats | normalization_flags::use_scale |
          normalization_flags::use_shift);
  const dnnl::batch_normalization_forward::primitive_desc pd(d, engine_);
  const memory::dim c = x.dims[1];
  Step step{dnnl::batch_normalization_forward(pd), {}};
  step.args.emplace(DNNL_ARG_SRC, x.mem);
  step.args.emplace(DNNL_ARG_SCALE, vector(params_, c, 0.5f, 1.0f));
  step.args.emplace(DNNL_ARG_SHIFT, vector(params_, c, -0.5f, 1.0f));
  step.args.emplace(DNNL_ARG_MEAN, vector(buffers_, c, -0.5f, 1.0f));
  step.args.emplace(DNNL_ARG_VARIANCE, vector(buffers_, c, 0.5f, 1.0f));
  memory dst(pd.dst_desc(), engine_);
  step.args.emplace(DNNL_ARG_DST, dst);
  steps_.push_back(std::move(step));
  return {dst, x.dims};
}

RawDnnlNet::Activation RawDnnlNet::add_pool(
    Activation& x, dnnl::algorithm alg, IntPair k, IntPair s, IntPair p) {
  const memory::dims& in = x.dims;
  if (in.size() != 4) {
    throw std::runtime_error("raw baseline: pooling needs a 4-D input");
  }
  const memory::dims out{
      in[0],
      in[1],
      out_size(in[2], k[0], s[0], p[0], 1),
      out_size(in[3], k[1], s[1], p[1], 1)};
  // Right padding only as far as the last window reaches, as initforge
  // sets it (PyTorch's floor sizing never uses more).
  memory::dims pad_r(2);
  for (std::size_t i = 0; i < 2; ++i) {
    pad_r[i] = std::max<memory::dim>(
        0, (out[i + 2] - 1) * s[i] + k[i] - in[i + 2] - p[i]);
  }
  const dnnl::pooling_forward::desc d(
      dnnl::prop_kind::forward_inference,
      alg,
      x.mem.get_desc(),
      memory::desc{out, dt::f32, tag::any},
      {s[0], s[1]},
      {k[0], k[1]},
      {p[0], p[1]},
      pad_r);
  const dnnl::pooling_forward::primitive_desc pd(d, engine_);
  memory dst(pd.dst_desc(), engine_);
  steps_.push_back(
      {dnnl::pooling_forward(pd),
       {{DNNL_ARG_SRC, x.mem}, {DNNL_ARG_DST, dst}}});
  return {dst, out};
}

// Average pooling over PyTorch's adaptive windows: the whole map for a 1x1
// output (global pooling), no padding.
RawDnnlNet::Activation RawDnnlNet::add_adaptive_avg_pool(
    Activation& x, const Args& a) {
  const IntPair out = a.int_pair("output_size");
  if (x.dims.size() != 4) {
    throw std::runtime_error(
        "raw baseline: AdaptiveAvgPool2d needs a 4-D input");
  }
  IntPair kernel{}, stride{};
  for (std::size_t i = 0; i < 2; ++i) {
    const auto w = uniform_windows(x.dims[i + 2], out[i]);
    if (!w) {
      throw std::runtime_error(
          "raw baseline: AdaptiveAvgPool2d windows of unequal size");
    }
    kernel[i] = w->first;
    stride[i] = w->second;
  }
  return add_pool(
      x, dnnl::algorithm::pooling_avg_exclude_padding, kernel, stride, {0, 0});
}

RawDnnlNet::Activation RawDnnlNet::add_eltwise(
    Activation& x, dnnl::algorithm alg, float alpha) {
  const dnnl::eltwise_forward::desc d(
      dnnl::prop_kind::forward_inference, alg, x.mem.get_desc(), alpha);
  const dnnl::eltwise_forward::primitive_desc pd(d, engine_);
  memory dst(pd.dst_desc(), engine_);
  steps_.push_back(
      {dnnl::eltwise_forward(pd),
       {{DNNL_ARG_SRC, x.mem}, {DNNL_ARG_DST, dst}}});
  return {dst, x.dims};
}

RawDnnlNet::Activation RawDnnlNet::add_softmax(
    Activation& x, std::int64_t axis) {
  const auto rank = static_cast<std::int64_t>(x.dims.size());
  if (axis < 0) axis += rank;
  const dnnl::softmax_forward::desc d(
      dnnl::prop_kind::forward_inference,
      x.mem.get_desc(),
      static_cast<int>(axis));
  const dnnl::softmax_forward::primitive_desc pd(d, engine_);
  memory dst(pd.dst_desc(), engine_);
  steps_.push_back(
      {dnnl::softmax_forward(pd),
       {{DNNL_ARG_SRC, x.mem}, {DNNL_ARG_DST, dst}}});
  return {dst, x.dims};
}

// One sum primitive over the inputs as they lie (it takes a layout per
// source); the output in the first non-plain input's layout, as initforge's
// Add writes it (a conv's choice, which the next conv wants too).
RawDnnlNet::Activation RawDnnlNet::add_sum(const std::vector<Activation*>& in) {
  if (in.size() < 2) {
    throw std::runtime_error("raw baseline: Add needs two or more inputs");
  }
  std::vector<memory::desc> srcs;
  memory::desc dst_md = in[0]->mem.get_desc();
  bool chosen = false;
  for (const Activation* x : in) {
    if (x->flat || x->dims != in[0]->dims) {
      throw std::runtime_error("raw baseline: Add of unequal inputs");
    }
    srcs.push_back(x->mem.get_desc());
    if (!chosen && !(srcs.back() == plain_desc(x->dims))) {
      dst_md = srcs.back();
      chosen = true;
    }
  }
  const dnnl::sum::primitive_desc pd(
      dst_md, std::vector<float>(in.size(), 1.0f), srcs, engine_);
  memory dst(pd.dst_desc(), engine_);
  Step step{dnnl::sum(pd), {{DNNL_ARG_DST, dst}}};
  for (std::size_t i = 0; i < in.size(); ++i) {
    step.args.emplace(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), in[i]->mem);
  }
  steps_.push_back(std::move(step));
  return {dst, in[0]->dims};
}

}  // namespace initforge::bench
