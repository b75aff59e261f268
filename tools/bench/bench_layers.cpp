// SPDX-License-Identifier: Apache-2.0
// Forward time of one layer through initforge's Layer (prepared once) against
// the same oneDNN 2.6 primitives driven directly: Linear b256 1024->1024 and
// Conv2d 64->64 3x3 pad 1 on 56x56, b8; 1 and 2 OpenMP threads (the Arg).
// The conv gets its input in the layout it prefers, as from a producing conv.
//   bench_layers --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include <benchmark/benchmark.h>
#include <omp.h>

#include "framework/layers/layer.h"

namespace initforge {
namespace {

using dnnl::memory;

constexpr std::int64_t kLinearBatch = 256;
constexpr std::int64_t kFeatures = 1024;
constexpr std::int64_t kConvBatch = 8;
constexpr std::int64_t kChannels = 64;
constexpr std::int64_t kSize = 56;

// 3x3, stride 1, padding 1: the shape keeps its size.
LayerSpec conv_spec() {
  return layer_spec(
      "Conv2d",
      {{"out_channels", kChannels}, {"kernel_size", 3}, {"padding", 1}});
}

std::vector<float> random_values(std::int64_t n, std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) {
    x = dist(engine);
  }
  return v;
}

memory::desc plain(const memory::dims& dims) {
  memory::dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) {
    strides[i - 1] = strides[i] * dims[i];
  }
  return memory::desc(dims, memory::data_type::f32, strides);
}

memory::desc any(const memory::dims& dims) {
  return memory::desc(dims, memory::data_type::f32, memory::format_tag::any);
}

// Memory in layout `md` holding random values given in row-major order.
memory filled(DnnlContext& ctx, const memory::desc& md, std::uint32_t seed) {
  std::vector<float> values = random_values(
      static_cast<std::int64_t>(md.get_size() / sizeof(float)), seed);
  memory src(plain(md.dims()), ctx.engine, values.data());
  memory dst(md, ctx.engine);
  dnnl::reorder(src, dst).execute(ctx.stream, src, dst);
  ctx.stream.wait();
  return dst;
}

void count_flops(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// initforge: make_layer, prepare once, set_params once, time forward().
void run_layer(
    benchmark::State& state,
    const LayerSpec& spec,
    const Shape& sample,
    std::int64_t batch,
    bool preferred_src) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
  DnnlContext ctx;
  auto layer = make_layer(spec, {&sample, 1});
  memory::dims src_dims{batch};
  src_dims.insert(src_dims.end(), sample.dims().begin(), sample.dims().end());
  memory::desc src_md = plain(src_dims);
  if (preferred_src) {
    // The layout a producing conv would deliver: what this conv asks for.
    const IntPair padding = spec.args.int_pair("padding");
    const dnnl::convolution_forward::primitive_desc pd(
        {dnnl::prop_kind::forward_inference,
         dnnl::algorithm::convolution_direct,
         any(src_dims),
         any({kChannels, kChannels, 3, 3}),
         any({kChannels}),
         any({batch, kChannels, kSize, kSize}),
         {1, 1},
         {0, 0},
         {padding[0], padding[1]},
         {padding[0], padding[1]}},
        ctx.engine);
    src_md = pd.src_desc();
  }
  const memory::desc dst_md =
      layer->prepare(ctx, batch, {&src_md, 1}, Phase::Inference);
  std::vector<std::vector<float>> values;
  std::vector<ConstTensorView> params;
  for (const ParamDecl& decl : layer->params()) {
    values.push_back(random_values(decl.shape.numel(), 1 + values.size()));
  }
  const auto decls = layer->params();
  for (std::size_t i = 0; i < decls.size(); ++i) {
    params.emplace_back(values[i], decls[i].shape);
  }
  layer->set_params(ctx, params, {});
  const memory src = filled(ctx, src_md, 9);
  const memory dst(dst_md, ctx.engine);
  layer->forward(ctx, {&src, 1}, dst);  // warm-up
  ctx.stream.wait();
  for (auto _ : state) {
    layer->forward(ctx, {&src, 1}, dst);
    ctx.stream.wait();
  }
}

// Raw oneDNN: the primitive with format_tag::any everywhere, weights
// reordered once, executed with a prepared argument map.
template <class PrimitiveDesc, class Primitive>
void run_raw(
    benchmark::State& state, DnnlContext& ctx, const PrimitiveDesc& pd) {
  const Primitive primitive(pd);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, filled(ctx, pd.src_desc(), 9)},
      {DNNL_ARG_WEIGHTS, filled(ctx, pd.weights_desc(), 1)},
      {DNNL_ARG_BIAS, filled(ctx, pd.bias_desc(), 2)},
      {DNNL_ARG_DST, memory(pd.dst_desc(), ctx.engine)}};
  primitive.execute(ctx.stream, args);  // warm-up
  ctx.stream.wait();
  for (auto _ : state) {
    primitive.execute(ctx.stream, args);
    ctx.stream.wait();
  }
}

void BM_LinearLayer(benchmark::State& state) {
  run_layer(
      state,
      layer_spec("Linear", {{"out_features", kFeatures}}),
      Shape{kFeatures},
      kLinearBatch,
      false);
  count_flops(state, 2.0 * kLinearBatch * kFeatures * kFeatures);
}

void BM_LinearRaw(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
  DnnlContext ctx;
  const dnnl::inner_product_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference,
       any({kLinearBatch, kFeatures}),
       any({kFeatures, kFeatures}),
       any({kFeatures}),
       any({kLinearBatch, kFeatures})},
      ctx.engine);
  run_raw<decltype(pd), dnnl::inner_product_forward>(state, ctx, pd);
  count_flops(state, 2.0 * kLinearBatch * kFeatures * kFeatures);
}

constexpr double kConvFlops =
    2.0 * kConvBatch * kChannels * kSize * kSize * kChannels * 9;

void BM_Conv2dLayer(benchmark::State& state) {
  run_layer(
      state, conv_spec(), Shape{kChannels, kSize, kSize}, kConvBatch, true);
  count_flops(state, kConvFlops);
}

// The first layer of a model gets plain NCHW and pays one input reorder.
void BM_Conv2dLayerPlainInput(benchmark::State& state) {
  run_layer(
      state, conv_spec(), Shape{kChannels, kSize, kSize}, kConvBatch, false);
  count_flops(state, kConvFlops);
}

void BM_Conv2dRaw(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
  DnnlContext ctx;
  const dnnl::convolution_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference,
       dnnl::algorithm::convolution_direct,
       any({kConvBatch, kChannels, kSize, kSize}),
       any({kChannels, kChannels, 3, 3}),
       any({kChannels}),
       any({kConvBatch, kChannels, kSize, kSize}),
       {1, 1},
       {0, 0},
       {1, 1},
       {1, 1}},
      ctx.engine);
  run_raw<decltype(pd), dnnl::convolution_forward>(state, ctx, pd);
  count_flops(state, kConvFlops);
}

void threads(benchmark::internal::Benchmark* b) {
  b->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
  b->UseRealTime();
}

BENCHMARK(BM_LinearRaw)->Apply(threads);
BENCHMARK(BM_LinearLayer)->Apply(threads);
BENCHMARK(BM_Conv2dRaw)->Apply(threads);
BENCHMARK(BM_Conv2dLayer)->Apply(threads);
BENCHMARK(BM_Conv2dLayerPlainInput)->Apply(threads);

}  // namespace
}  // namespace initforge

BENCHMARK_MAIN();
