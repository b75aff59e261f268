// SPDX-License-Identifier: Apache-2.0
// `initforge sample SCHEME --shape D0,D1,... [--arg KEY=VALUE]... ...`:
// initializes one tensor and reports its statistics beside the target.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include <omp.h>

#include "framework/core/error.h"
#include "framework/core/generator.h"
#include "framework/core/memory_info.h"
#include "framework/core/pinned_threads.h"
#include "framework/core/tensor.h"
#include "framework/core/value_stats.h"
#include "framework/io/npy.h"
#include "framework/io/report_json.h"
#include "framework/plugin/fill_checked.h"

#include "tools/cli/cli_common.h"
#include "tools/cli/commands.h"

namespace initforge::cli {
namespace {

struct SampleOptions {
  PluginOptions plugins;
  std::string scheme;
  std::string shape;
  std::vector<std::string> args;
  std::string seed_text = "0";
  std::string rng = "philox";
  std::string name = "weight";
  std::string out;
  int threads = 0;  // 0: OpenMP's default
  std::int64_t fan_in = -1, fan_out = -1;
  bool json = false;
  bool prefault = false;
  bool check_finite = false;
};

std::string args_text(const std::map<std::string, ArgValue>& args) {
  std::string text;
  for (const auto& [name, value] : args) {
    text += (text.empty() ? "" : ", ") + name + "=" + to_string(value);
  }
  return text.empty() ? "(none)" : text;
}

void print_text(const SampleReport& r) {
  std::string shape;
  for (const std::int64_t d : r.shape) {
    shape += (shape.empty() ? "" : ", ") + std::to_string(d);
  }
  std::printf("scheme    %s  (%s)\n", r.scheme.c_str(), r.library_path.c_str());
  std::printf("args      %s\n", args_text(r.args).c_str());
  std::printf(
      "shape     [%s]  (%lld elements)\n",
      shape.c_str(),
      static_cast<long long>(r.stats.count));
  std::printf(
      "rng       %s  seed %llu  path %s\n",
      r.rng.c_str(),
      static_cast<unsigned long long>(r.seed),
      r.path.c_str());
  if (r.fans) {
    std::printf(
        "fans      fan_in %lld  fan_out %lld\n",
        static_cast<long long>(r.fans->fan_in),
        static_cast<long long>(r.fans->fan_out));
  } else {
    std::printf("fans      none (fewer than 2 dimensions)\n");
  }
  std::printf("target    %s\n", target_kind_name(r.target.kind).c_str());
  std::printf("          %-14s %s\n", "measured", "expected");
  const auto row = [](const char* what, double got, const std::string& want) {
    std::printf(
        "%-9s %-14s %s\n", what, number_text(got).c_str(), want.c_str());
  };
  const bool bounded = r.target.kind == Target::Kind::Uniform ||
                       r.target.kind == Target::Kind::TruncatedNormal ||
                       r.target.kind == Target::Kind::Constant;
  const bool known = r.target.kind != Target::Kind::Unknown;
  row("mean",
      r.stats.mean,
      known ? number_text(r.target.expected_mean()) : "-");
  row("std", r.stats.std, known ? number_text(r.target.expected_std()) : "-");
  row("min", r.stats.min, bounded ? ">= " + number_text(r.target.low) : "-");
  row("max", r.stats.max, bounded ? "<= " + number_text(r.target.high) : "-");
  std::printf(
      "fill      %.6f s  (%.3f G elements/s, %d threads, %s)\n",
      r.fill_seconds,
      r.gelements_per_second,
      r.threads,
      r.thread_placement.c_str());
  if (!r.out.empty()) std::printf("out       %s\n", r.out.c_str());
}

int run_sample(const SampleOptions& o) {
  // Cheap checks first: nothing is loaded or allocated for a bad command.
  const Shape shape = parse_shape(o.shape);
  const std::string tensor_text =
      "--shape " + shape.to_string() + ": the tensor";
  std::int64_t bytes = 0;
  if (__builtin_mul_overflow(
          shape.numel(), std::int64_t{sizeof(float)}, &bytes)) {
    throw MemoryError(
        tensor_text +
        " needs more than 8 EiB: its byte count overflows "
        "64 bits");
  }
  check_fits_in_memory(bytes, tensor_text);
  std::vector<std::pair<std::string, ArgValue>> given;
  for (const std::string& text : o.args) given.push_back(parse_key_value(text));
  const RngKind rng = parse_rng_kind(o.rng);
  const std::uint64_t seed = parse_seed_option(o.seed_text);
  const PinnedThreads pinned(o.threads);

  Registry registry;
  load_plugins(o.plugins, registry);
  const RegisteredScheme& scheme = registry.find(o.scheme);
  if (scheme.info.data_dependent) {
    throw UsageError(
        "scheme \"" + o.scheme +
        "\" is data-dependent (it calibrates on a model's outputs), so it "
        "needs a model; use it in a config (\"init\", \"init_rules\" or "
        "\"post_init\") with `initforge run` or `initforge train`");
  }
  std::shared_ptr<const Initializer> init;
  Args bound;
  try {
    bound = bind_args(scheme.info.args, given);
    init = registry.create(o.scheme, given);
  } catch (const ArgumentError& e) {
    throw ArgumentError(e.key(), "--arg " + e.key() + ": " + e.what());
  }

  ParamInfo param{.path = o.name, .shape = shape, .fans = std::nullopt};
  if (o.fan_in >= 0) {
    param.fans = Fans{o.fan_in, o.fan_out};
  } else if (shape.rank() >= 2) {
    param.fans = compute_fans(shape);
  }
  init->check(param);

  const auto source = RandomSource::create(rng, seed);
  const auto gen = source->generator_for(o.name);
  Tensor tensor = Tensor::empty(shape);
  if (o.prefault) tensor.prefault();
    // Start OpenMP's thread team now so fill_seconds times the fill alone.
#pragma omp parallel
  { (void)omp_get_thread_num(); }
  const auto start = std::chrono::steady_clock::now();
  const FillContext ctx{.param = param, .gen = *gen};
  const FillChecks checks{
      .scheme = o.scheme, .library_path = scheme.library_path};
  fill_checked(*init, tensor.view(), ctx, checks);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  // After the timing: fill_seconds measures the scheme alone.
  if (o.check_finite) check_finite(tensor.span(), ctx, checks);

  SampleReport report;
  report.scheme = o.scheme;
  report.library_path = scheme.library_path;
  report.args = bound.values();
  report.shape.assign(shape.dims().begin(), shape.dims().end());
  report.rng = std::string(to_string(rng));
  report.seed = seed;
  report.path = o.name;
  report.fans = param.fans;
  report.threads = pinned.threads();
  report.thread_placement = pinned.placement();
  report.target = init->target(param);
  report.stats = compute_stats(tensor.span());
  report.fill_seconds = seconds;
  report.gelements_per_second =
      seconds > 0 ? static_cast<double>(shape.numel()) / seconds / 1e9 : 0.0;
  if (!o.out.empty()) {
    write_npy(o.out, tensor.view());
    report.out = o.out;
  }
  if (o.json) {
    std::fputs(sample_json(report).c_str(), stdout);
  } else {
    print_text(report);
  }
  return 0;
}

}  // namespace

CommandRunner setup_sample_command(CLI::App& command) {
  auto o = std::make_shared<SampleOptions>();
  command.add_option("scheme", o->scheme, "scheme name, e.g. kaiming_uniform")
      ->required();
  command.add_option("--shape", o->shape, "sizes D0,D1,... e.g. 256,128")
      ->required();
  command.add_option(
      "--arg", o->args, "scheme argument KEY=VALUE (JSON value; repeatable)");
  // Parsed by us: CLI11 wraps "-1" and clamps 2^64 silently.
  command.add_option("--seed", o->seed_text, "random seed (default 0)");
  command.add_option("--rng", o->rng, "philox (default) or torch");
  command.add_option("--name", o->name, "parameter path (default weight)");
  command.add_option("--out", o->out, "write the tensor to FILE.npy");
  command.add_option("--threads", o->threads, "OpenMP threads")
      ->check(CLI::Range(1, 1024));
  auto* fan_in = command.add_option("--fan-in", o->fan_in, "override fan_in")
                     ->check(CLI::NonNegativeNumber);
  auto* fan_out =
      command.add_option("--fan-out", o->fan_out, "override fan_out")
          ->check(CLI::NonNegativeNumber);
  fan_in->needs(fan_out);
  fan_out->needs(fan_in);
  command.add_flag("--json", o->json, "print the report as one JSON object");
  command.add_flag(
      "--prefault",
      o->prefault,
      "touch the tensor's pages before timing (time the fill alone)");
  command.add_flag(
      "--check-finite",
      o->check_finite,
      "fail (exit 3) if the scheme wrote a NaN or Inf (default off)");
  add_plugin_options(command, o->plugins);
  return [o] { return run_sample(*o); };
}

}  // namespace initforge::cli
