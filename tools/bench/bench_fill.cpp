// SPDX-License-Identifier: Apache-2.0
// Fill speed of a 4096x4096 float32 tensor: the generators directly and the
// built-in schemes through the plugin registry, prefaulted and freshly
// allocated; plus the time to load every built-in plugin. Threads: 2, or
// INITFORGE_BENCH_THREADS. tools/bench/fill_speed.py runs this and compares
// with PyTorch.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <omp.h>

#include "framework/core/generator.h"
#include "framework/core/rng/philox_kernels.h"
#include "framework/core/tensor.h"
#include "framework/init/fans.h"
#include "framework/init/initializer.h"
#include "framework/plugin/loader.h"
#include "framework/plugin/registry.h"

namespace initforge {
namespace {

const Shape kShape{4096, 4096};

using GenFill = std::function<void(Generator&, std::span<float>)>;

const std::vector<std::pair<std::string, GenFill>>& generator_ops() {
  static const std::vector<std::pair<std::string, GenFill>> ops = {
      {"uniform", [](Generator& g, std::span<float> d) { g.uniform(d, 0, 1); }},
      {"normal", [](Generator& g, std::span<float> d) { g.normal(d, 0, 1); }},
      {"trunc_normal",
       [](Generator& g, std::span<float> d) {
         g.truncated_normal(d, 0, 1, -2, 2);
       }},
      {"random_u32", [](Generator& g, std::span<float> d) {
         g.random_u32({reinterpret_cast<std::uint32_t*>(d.data()), d.size()});
       }}};
  return ops;
}

// A fill of `t` with a fresh generator for the parameter, as a model build
// does; the torch source is created once so its stream runs on.
void run_fills(
    benchmark::State& state,
    RngKind kind,
    bool fresh,
    const std::function<void(Generator&, Tensor&)>& fill) {
  auto source = RandomSource::create(kind, 0);
  Tensor kept;
  if (!fresh) {
    kept = Tensor::empty(kShape);
    kept.prefault();
  }
  for (auto _ : state) {
    Tensor fresh_tensor;
    if (fresh) fresh_tensor = Tensor::empty(kShape);
    Tensor& t = fresh ? fresh_tensor : kept;
    auto gen = source->generator_for("bench.weight");
    fill(*gen, t);
    benchmark::DoNotOptimize(t.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * kShape.numel());
}

// name -> its arguments, for the scheme benchmarks.
const std::vector<
    std::pair<std::string, std::vector<std::pair<std::string, ArgValue>>>>&
schemes() {
  static const std::vector<
      std::pair<std::string, std::vector<std::pair<std::string, ArgValue>>>>
      list = {
          {"uniform", {}},
          {"normal", {}},
          {"trunc_normal", {}},
          {"kaiming_uniform", {}},
          {"kaiming_normal", {}},
          {"xavier_uniform", {}},
          {"xavier_normal", {}}};
  return list;
}

Registry* builtin_registry() {
  static std::unique_ptr<Registry> registry = [] {
    auto r = std::make_unique<Registry>();
    try {
      load_plugin_dir(builtin_plugin_dir(), *r);
    } catch (const std::exception& e) {
      std::fprintf(
          stderr,
          "bench_fill: cannot load the built-in plugins: %s\n",
          e.what());
      r.reset();
    }
    return r;
  }();
  return registry.get();
}

void register_all() {
  // Each iteration loads every built-in plugin into a new registry and
  // unloads them with it (nothing else holds them yet).
  benchmark::RegisterBenchmark(
      "plugins/load_all",
      [](benchmark::State& s) {
        for (auto _ : s) {
          Registry r;
          load_plugin_dir(builtin_plugin_dir(), r);
          benchmark::DoNotOptimize(&r);
        }
      })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  const std::pair<RngKind, const char*> kinds[] = {
      {RngKind::Philox, "philox"}, {RngKind::Torch, "torch"}};
  for (auto [kind, kind_name] : kinds) {
    for (const auto& [op, fill] : generator_ops()) {
      for (bool fresh : {false, true}) {
        const std::string name = std::string("gen/") + kind_name + "/" + op +
                                 (fresh ? "/fresh" : "/prefaulted");
        benchmark::RegisterBenchmark(
            name.c_str(),
            [kind = kind, fresh, fill = fill](benchmark::State& s) {
              run_fills(s, kind, fresh, [&](Generator& g, Tensor& t) {
                fill(g, t.span());
              });
            })
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  // The registry is created on first use, after plugins/load_all has run,
  // so that benchmark loads and unloads the libraries each time.
  for (auto [kind, kind_name] : kinds) {
    for (const auto& [scheme, args] : schemes()) {
      for (bool fresh : {false, true}) {
        const std::string name = std::string("scheme/") + kind_name + "/" +
                                 scheme + (fresh ? "/fresh" : "/prefaulted");
        benchmark::RegisterBenchmark(
            name.c_str(),
            [kind = kind, fresh, scheme = scheme, args = args](
                benchmark::State& s) {
              Registry* registry = builtin_registry();
              if (registry == nullptr || !registry->contains(scheme)) {
                s.SkipWithError("scheme not available");
                return;
              }
              const auto init = registry->create(scheme, args);
              const ParamInfo param{
                  "bench.weight", kShape, compute_fans(kShape)};
              run_fills(s, kind, fresh, [&](Generator& g, Tensor& t) {
                init->fill(t.view(), FillContext{param, g, 0});
              });
            })
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
}

}  // namespace
}  // namespace initforge

int main(int argc, char** argv) {
  const char* threads = std::getenv("INITFORGE_BENCH_THREADS");
  omp_set_num_threads(threads != nullptr ? std::atoi(threads) : 2);
  // INITFORGE_PHILOX_KERNEL=scalar|avx2|avx512 compares the kernels.
  if (const char* k = std::getenv("INITFORGE_PHILOX_KERNEL")) {
    using initforge::philox::Kernel;
    for (Kernel kernel : {Kernel::Scalar, Kernel::Avx2, Kernel::Avx512}) {
      if (initforge::philox::kernel_name(kernel) == k) {
        initforge::philox::force_kernel(kernel);
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  initforge::register_all();
  benchmark::AddCustomContext(
      "omp_threads", std::to_string(omp_get_max_threads()));
  benchmark::AddCustomContext(
      "philox_kernel",
      std::string(
          initforge::philox::kernel_name(initforge::philox::active_kernel())));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
