// SPDX-License-Identifier: Apache-2.0
// Forward speed of the example models at batch 256: initforge's graph
// (config -> Model::build -> initialize -> prepare once, forward timed)
// against the same network driven through oneDNN primitives directly
// (raw_dnnl_net.h). Threads: 2, or INITFORGE_BENCH_THREADS (oneDNN reads
// the OpenMP thread count when primitives are created, so one process per
// count). tools/bench/model_speed.py runs this and compares with PyTorch.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <omp.h>

#include "framework/core/generator.h"
#include "framework/core/tensor.h"
#include "framework/model/builder.h"
#include "framework/model/config_loader.h"
#include "framework/plugin/loader.h"
#include "framework/plugin/registry.h"

#include "tools/bench/raw_dnnl_net.h"

namespace initforge {
namespace {

constexpr std::int64_t kBatch = 256;
const char* const kConfigs[] = {"mlp", "cnn"};

std::filesystem::path config_path(const std::string& name) {
  const char* dir = std::getenv("INITFORGE_CONFIGS_DIR");
  return std::filesystem::path(dir != nullptr ? dir : INITFORGE_CONFIGS_DIR) /
         (name + ".json");
}

const Registry& builtin_registry() {
  static const std::unique_ptr<Registry> registry = [] {
    auto r = std::make_unique<Registry>();
    load_plugin_dir(builtin_plugin_dir(), *r);
    return r;
  }();
  return *registry;
}

// The same N(0, 1) batch for both sides; values do not change the speed.
void fill_input(std::span<float> x) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (float& v : x) v = normal(rng);
}

void set_counters(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
  state.counters["threads"] = omp_get_max_threads();
}

void bench_initforge(benchmark::State& state, const std::string& name) {
  try {
    auto model = Model::build(
        load_config(config_path(name)), builtin_registry(), kBatch);
    model->initialize(RandomSource::create(RngKind::Philox, 0));
    model->prepare();
    std::vector<std::int64_t> dims{kBatch};
    for (std::int64_t d : model->graph().input_shape().dims())
      dims.push_back(d);
    Tensor input = Tensor::empty(Shape(std::span<const std::int64_t>(dims)));
    fill_input(input.span());
    model->forward(input.view());  // warm-up: first touch of activations
    for (auto _ : state) {
      model->forward(input.view());
      benchmark::DoNotOptimize(model->output().data());
    }
    // FLOPs as the raw network counts them, for a comparable GFLOP/s.
    const ModelConfig config = load_config(config_path(name));
    std::vector<LayerSpec> layers;
    for (const LayerConfig& l : config.layers) layers.push_back(l.spec);
    set_counters(
        state,
        bench::RawDnnlNet(config.input, layers, 1).flops() *
            static_cast<double>(kBatch));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void bench_raw(benchmark::State& state, const std::string& name) {
  try {
    const ModelConfig config = load_config(config_path(name));
    std::vector<LayerSpec> layers;
    for (const LayerConfig& l : config.layers) {
      if (!l.inputs.empty()) {
        throw std::runtime_error("raw baseline: only sequential models");
      }
      layers.push_back(l.spec);
    }
    bench::RawDnnlNet net(config.input, layers, kBatch);
    fill_input(net.input());
    net.forward();  // warm-up, as above
    for (auto _ : state) {
      net.forward();
      benchmark::DoNotOptimize(net.output().data());
    }
    set_counters(state, net.flops());
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void register_all() {
  for (const char* name : kConfigs) {
    const std::string n = name;
    benchmark::RegisterBenchmark(
        ("model/" + n + "/initforge").c_str(),
        [n](benchmark::State& s) { bench_initforge(s, n); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(
        ("model/" + n + "/raw").c_str(),
        [n](benchmark::State& s) { bench_raw(s, n); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace initforge

int main(int argc, char** argv) {
  const char* threads = std::getenv("INITFORGE_BENCH_THREADS");
  omp_set_num_threads(threads != nullptr ? std::atoi(threads) : 2);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  initforge::register_all();
  benchmark::AddCustomContext(
      "omp_threads", std::to_string(omp_get_max_threads()));
  benchmark::AddCustomContext("batch", std::to_string(initforge::kBatch));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
