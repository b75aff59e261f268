// SPDX-License-Identifier: Apache-2.0
// Forward speed of the example models (mlp, cnn at batch 256; resnet20 and,
// once configs/resnet18_torchvision.json exists and its layer types are
// known, ResNet-18 at batch 8): initforge's graph (config -> Model::build ->
// initialize -> prepare once, forward timed) against the same network
// driven through oneDNN primitives directly (raw_dnnl_net.h). Threads: 2, or
// INITFORGE_BENCH_THREADS (oneDNN reads the OpenMP thread count when primitives
// are created, so one process per count). tools/bench/model_speed.py runs this
// and compares with PyTorch.
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

struct Workload {
  const char* config;  // configs/<config>.json
  std::int64_t batch;
};
constexpr Workload kWorkloads[] = {
    {"mlp", 256}, {"cnn", 256}, {"resnet20", 8}, {"resnet18_torchvision", 8}};

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

void set_counters(benchmark::State& state, double flops, std::int64_t batch) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
  state.counters["threads"] = omp_get_max_threads();
  state.counters["batch"] = static_cast<double>(batch);
}

// Why a workload cannot run here ("" when it can): a config that is not
// there yet, or one naming a layer type this build does not have.
std::string unavailable(const std::string& name) {
  if (!std::filesystem::exists(config_path(name))) {
    return config_path(name).string() + " does not exist";
  }
  try {
    (void)load_config(config_path(name));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

void bench_initforge(benchmark::State& state, const Workload& w) {
  const std::string name = w.config;
  const std::int64_t batch = w.batch;
  try {
    auto model =
        Model::build(load_config(config_path(name)), builtin_registry(), batch);
    model->initialize(RandomSource::create(RngKind::Philox, 0));
    model->prepare();
    std::vector<std::int64_t> dims{batch};
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
    set_counters(
        state,
        bench::RawDnnlNet(config.input, config.layers, 1).flops() *
            static_cast<double>(batch),
        batch);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void bench_raw(benchmark::State& state, const Workload& w) {
  try {
    const ModelConfig config = load_config(config_path(w.config));
    bench::RawDnnlNet net(config.input, config.layers, w.batch);
    fill_input(net.input());
    net.forward();  // warm-up, as above
    for (auto _ : state) {
      net.forward();
      benchmark::DoNotOptimize(net.output().data());
    }
    set_counters(state, net.flops(), w.batch);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void register_all() {
  for (const Workload& w : kWorkloads) {
    const std::string n = w.config;
    if (const std::string why = unavailable(n); !why.empty()) {
      std::fprintf(
          stderr, "note: model/%s skipped: %s\n", n.c_str(), why.c_str());
      continue;
    }
    benchmark::RegisterBenchmark(
        ("model/" + n + "/initforge").c_str(),
        [w](benchmark::State& s) { bench_initforge(s, w); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(
        ("model/" + n + "/raw").c_str(),
        [w](benchmark::State& s) { bench_raw(s, w); })
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
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
