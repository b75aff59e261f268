// SPDX-License-Identifier: Apache-2.0
// `initforge run CONFIG [--batch N] [--seed N] [--rng philox|torch]
// [--input FILE.npy] [--output FILE.npy] [--save-weights FILE.safetensors]
// [--load-weights FILE.safetensors [--strict-load]]
// [--json] [--threads N] [--no-check-finite] [--plugin-dir DIR]...`:
// builds the model, initializes every parameter, runs one forward pass and
// reports.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/core/pinned_threads.h"
#include "framework/core/value_stats.h"
#include "framework/io/npy.h"
#include "framework/io/run_report_json.h"
#include "framework/model/builder.h"
#include "framework/model/weights_file.h"
#include "framework/train/calibration_data.h"

#include "tools/cli/commands.h"
#include "tools/cli/model_common.h"
#include "tools/cli/run_report_text.h"

namespace initforge::cli {
namespace {

struct RunOptions {
  std::string config;
  std::string batch;  // "": 8, or the --input file's
  std::string seed;   // "": the config's
  std::string rng;    // "": the config's
  std::string input, output, save_weights;
  LoadOptions load;
  bool json = false;
  bool check_finite = true;
  int threads = 0;
  PluginOptions plugins;
};

std::vector<std::int64_t> dims_of(const Shape& shape) {
  return {shape.dims().begin(), shape.dims().end()};
}

// The --input tensor must be [N, ...config input].
void check_input(
    const std::string& file, const Shape& got, const Shape& sample) {
  bool ok = got.rank() == sample.rank() + 1 && got[0] >= 1;
  for (std::size_t i = 0; ok && i < sample.rank(); ++i) {
    ok = got[i + 1] == sample[i];
  }
  if (!ok) {
    std::string expected = "[N";
    for (const std::int64_t d : sample.dims())
      expected += ", " + std::to_string(d);
    throw UsageError(
        "--input " + file + ": " +
        expected_got(
            "shape " + expected + "] (a batch of the config's input " +
                sample.to_string() + ")",
            got.to_string()));
  }
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

int run_model(const RunOptions& o) {
  // Cheap checks first: nothing is loaded or allocated for a bad command.
  std::optional<std::int64_t> batch;
  if (!o.batch.empty()) batch = parse_batch_option(o.batch);
  std::optional<std::uint64_t> seed;
  if (!o.seed.empty()) seed = parse_seed_option(o.seed);
  std::optional<RngKind> rng;
  if (!o.rng.empty()) rng = parse_rng_kind(o.rng);
  const auto load = whole_model_load(o.load, "--load-weights");
  const PinnedThreads pinned(o.threads);

  Registry registry;
  ModelConfig config = load_model_config(o.config, o.plugins, registry);
  config.load_weights = load;
  std::optional<Tensor> input;
  if (!o.input.empty()) {
    input = read_npy(o.input);
    check_input(o.input, input->shape(), config.input);
    if (batch && *batch != input->shape()[0]) {
      throw UsageError(
          "--batch " + std::to_string(*batch) + " disagrees with --input " +
          o.input + ", which holds " + std::to_string(input->shape()[0]) +
          " samples");
    }
    batch = input->shape()[0];
  }
  const RngKind rng_kind = rng.value_or(config.rng);
  const std::uint64_t seed_value = seed.value_or(config.seed);
  const auto model =
      Model::build(std::move(config), registry, batch.value_or(8));

  // Only a config calibrating on training data reads the dataset.
  const std::optional<Tensor> calibration =
      load_calibration_batch(*model, seed_value);
  auto start = std::chrono::steady_clock::now();
  model->initialize(
      RandomSource::create(rng_kind, seed_value),
      o.check_finite,
      calibration ? std::optional<ConstTensorView>(calibration->view())
                  : std::nullopt);
  const double init_ms = ms_since(start);
  if (!input) input = model->random_input();  // torch: after the parameters
  start = std::chrono::steady_clock::now();
  model->prepare();
  const double prepare_ms = ms_since(start);
  start = std::chrono::steady_clock::now();
  model->forward(input->view());
  const double first_forward_ms = ms_since(start);
  start = std::chrono::steady_clock::now();
  model->forward(input->view());  // warm: what a forward costs from now on
  const double forward_ms = ms_since(start);

  RunReport report;
  report.config = o.config;
  report.model = model->config().name;
  report.rng = std::string(to_string(rng_kind));
  report.seed = seed_value;
  report.batch = model->batch();
  report.threads = pinned.threads();
  report.thread_placement = pinned.placement();
  report.input = o.input.empty() ? "random normal" : o.input;
  report.input_shape = dims_of(input->shape());
  report.output_shape = dims_of(model->output().shape());
  report.parameter_elements = model->plan().parameter_elements();
  report.memory_bytes = model->memory().total_bytes;
  report.init_ms = init_ms;
  report.prepare_ms = prepare_ms;
  report.first_forward_ms = first_forward_ms;
  report.forward_ms = forward_ms;
  report.calibration = model->calibration_log();
  const InitPlan& plan = model->plan();
  for (std::size_t i = 0; i < plan.params.size(); ++i) {
    const PlannedParam& p = plan.params[i];
    report.params.push_back(
        {init_record(p),
         p.info.fans,
         p.target,
         compute_stats(model->params()[i].span())});
  }
  const auto nodes = model->graph().nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Tensor out = model->node_output(i);
    report.layers.push_back(
        {nodes[i].name,
         nodes[i].type,
         nodes[i].input_names,
         dims_of(out.shape()),
         compute_stats(out.span())});
  }
  if (!o.output.empty()) {
    write_npy(o.output, model->output().view());
    report.output_file = o.output;
  }
  if (!o.save_weights.empty()) {
    save_weights(o.save_weights, *model);
    report.weights_file = o.save_weights;
  }
  if (o.json) {
    std::fputs(run_json(report).c_str(), stdout);
  } else {
    print_run_report(report);
  }
  return 0;
}

}  // namespace

CommandRunner setup_run_command(CLI::App& command) {
  auto o = std::make_shared<RunOptions>();
  command.add_option("config", o->config, "model config (JSON)")->required();
  // Parsed by us: CLI11 would wrap negative numbers and clamp huge ones.
  command.add_option("--batch", o->batch, "samples in the batch (default 8)");
  command.add_option("--seed", o->seed, "override the config's seed");
  command.add_option(
      "--rng", o->rng, "override the config's rng: philox or torch");
  command.add_option(
      "--input", o->input, "read the input batch from FILE.npy [N, ...input]");
  command.add_option("--output", o->output, "write the output to FILE.npy");
  command.add_option(
      "--save-weights",
      o->save_weights,
      "write parameters and init manifest to FILE.safetensors");
  add_load_options(
      command,
      o->load,
      "--load-weights",
      "load every parameter and buffer FILE.safetensors holds (by path, "
      "e.g. layer1.0.conv1.weight); the rest is initialized as the config "
      "says");
  command.add_flag("--json", o->json, "print the report as one JSON object");
  command.add_option("--threads", o->threads, "OpenMP threads")
      ->check(CLI::Range(1, 1024));
  command.add_flag(
      "--check-finite,!--no-check-finite",
      o->check_finite,
      "fail (exit 3) if a scheme writes a NaN or Inf (default on)");
  add_config_plugin_options(command, o->plugins);
  return [o] { return run_model(*o); };
}

}  // namespace initforge::cli
