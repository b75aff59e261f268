// SPDX-License-Identifier: Apache-2.0
// `initforge train CONFIG [--out DIR] [--resume DIR] [--epochs N] [--seed N]
// [--threads N] [--train-subset N] [--test-subset N] [--data-dir DIR]
// [--init-from FILE.safetensors [--strict-load]] [--no-plot]
// [--no-check-finite] [--plugin-dir DIR]...`: trains the config's
// model (each variant of an experiment in turn) into a run directory, compares
// the variants and plots the curves.
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/core/pinned_threads.h"
#include "framework/io/text_file.h"
#include "framework/model/train_overrides.h"
#include "framework/train/trainer.h"

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/model_common.h"
#include "tools/cli/plot.h"
#include "tools/cli/progress.h"
#include "tools/cli/run_dir.h"
#include "tools/cli/train_setup.h"

namespace initforge::cli {
namespace {

namespace fs = std::filesystem;

struct TrainCliOptions {
  std::string config, out, resume;
  // Parsed by us: CLI11 would wrap negative numbers and clamp huge ones.
  std::string epochs, seed, train_subset, test_subset;
  std::string data_dir;
  LoadOptions load;
  int threads = 0;
  bool no_plot = false;
  bool check_finite = true;
  std::int64_t stop_after_steps = 0;  // hidden: tests simulate a kill
  PluginOptions plugins;
};

std::optional<std::int64_t> parse_count(
    const std::string& option, const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto [ptr, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 1) {
    throw UsageError(
        option + ": " + expected_got("an integer >= 1", "\"" + text + "\""));
  }
  return value;
}

// One line on stderr, like main's error reports (which end the command;
// a diverged variant does not).
void print_error(const std::string& message) {
  std::string line = "error: " + message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

// The run directory of the whole command, checked against what is there.
fs::path resolve_run_dir(const TrainCliOptions& o) {
  if (!o.resume.empty()) {
    const fs::path dir = o.resume;
    std::error_code ec;
    if (!o.out.empty() &&
        fs::weakly_canonical(o.out, ec) != fs::weakly_canonical(o.resume, ec)) {
      throw UsageError(
          "--out " + o.out + " and --resume " + o.resume +
          " name different directories; --resume trains on in its own");
    }
    if (!existing_run_file(dir)) {
      throw UsageError(
          "--resume " + dir.string() +
          ": no training run there (expected metrics.csv, summary.json or "
          "checkpoint/)");
    }
    return dir;
  }
  const fs::path dir = o.out.empty()
                           ? fs::path("runs") / fs::path(o.config).stem()
                           : fs::path(o.out);
  if (const auto file = existing_run_file(dir)) {
    throw UsageError(
        dir.string() + " already holds a training run (" + file->string() +
        "); continue it with --resume " + dir.string() +
        ", or train into another directory with --out DIR");
  }
  return dir;
}

// A single run keeps its files in DIR, an experiment in DIR/<variant>/:
// resuming one with the other's directory would start over beside it.
void check_resume_layout(const fs::path& dir, bool experiment) {
  std::error_code ec;
  const bool single = fs::exists(dir / "summary.json", ec) ||
                      fs::exists(dir / "checkpoint", ec);
  if (single == experiment) {
    throw UsageError(
        "--resume " + dir.string() + ": it holds " +
        (single ? "a single run, but the config is an experiment with variants"
                : "an experiment's variant runs, but the config has no "
                  "variants"));
  }
}

struct VariantRun {
  VariantOutcome outcome;
  bool stopped_early = false;
};

VariantRun train_variant(
    const Variant& variant,
    const fs::path& run_dir,
    bool resume,
    const Registry& registry,
    const TrainCliOptions& o) {
  VariantRun run;
  run.outcome.name = variant.name;
  const std::int64_t epochs = variant.config.train->epochs;
  // What the directory recorded: a resume continues the same config.
  const auto recorded = resume ? read_recorded_run(run_dir) : std::nullopt;
  if (recorded && !same_config(*recorded, variant.config.json)) {
    throw UsageError(
        "--resume " + run_dir.string() +
        ": the run was started with another config; it differs at " +
        config_difference(*recorded, variant.config.json) +
        ". Resume with the config and the options (--epochs, --seed, "
        "--train-subset, --test-subset, --data-dir) it was started with");
  }
  if (recorded) {
    run.outcome.epochs = recorded->metrics;
    if (recorded->status == "finished") {
      std::printf(
          "%s: already finished (%lld epochs); nothing to do\n",
          run_dir.string().c_str(),
          static_cast<long long>(epochs));
      return run;
    }
    if (recorded->status == "diverged") {  // it would again, bit for bit
      print_error(recorded->error + " (recorded earlier; not trained again)");
      run.outcome.diverged = true;
      return run;
    }
  }
  ConsoleProgress progress(is_terminal(stderr), epochs);
  TrainOptions options;
  options.run_dir = run_dir;
  options.resume = recorded.has_value();
  options.stop_after_steps = o.stop_after_steps;
  options.check_finite = o.check_finite;
  try {
    const TrainResult result =
        train(variant.config, registry, options, progress);
    progress.clear();
    run.outcome.epochs = result.epochs;
    run.stopped_early = result.stopped_early;
  } catch (const TrainingDiverged& e) {
    progress.clear();
    print_error(e.what());
    run.outcome.diverged = true;
    if (const auto after = read_recorded_run(run_dir)) {
      run.outcome.epochs = after->metrics;
    }
  }
  return run;
}

int run_train(const TrainCliOptions& o) {
  // Cheap checks first: nothing is loaded for a bad command line.
  TrainOverrides overrides;
  overrides.epochs = parse_count("--epochs", o.epochs);
  if (!o.seed.empty()) overrides.seed = parse_seed_option(o.seed);
  overrides.train_subset = parse_count("--train-subset", o.train_subset);
  overrides.test_subset = parse_count("--test-subset", o.test_subset);
  if (!o.data_dir.empty()) overrides.data_dir = fs::absolute(o.data_dir);
  const auto load = whole_model_load(o.load, "--init-from");

  Registry registry;
  std::vector<Variant> variants =
      load_experiment_configs(o.config, o.plugins, registry);
  for (Variant& v : variants) {
    if (v.config.train) apply_train_overrides(v.config, overrides);
    v.config.load_weights = load;
  }
  check_variants(variants, registry);
  check_datasets(variants);
  const fs::path dir = resolve_run_dir(o);
  const bool experiment = variants.size() > 1;
  if (!o.resume.empty()) check_resume_layout(dir, experiment);

  std::vector<VariantOutcome> outcomes;
  bool diverged = false;
  {
    const PinnedThreads pinned(o.threads);  // the plot script below floats
    for (std::size_t i = 0; i < variants.size(); ++i) {
      const Variant& v = variants[i];
      const fs::path run_dir = experiment ? dir / v.name : dir;
      std::printf(
          "%s\n", run_header(v, i, variants.size(), run_dir, pinned).c_str());
      std::fflush(stdout);
      VariantRun run =
          train_variant(v, run_dir, !o.resume.empty(), registry, o);
      if (run.stopped_early) {
        std::printf(
            "stopped after %lld steps; continue with --resume %s\n",
            static_cast<long long>(o.stop_after_steps),
            dir.string().c_str());
        return 0;
      }
      diverged |= run.outcome.diverged;
      outcomes.push_back(std::move(run.outcome));
    }
  }
  if (experiment) {
    write_text_atomically(dir / "comparison.csv", comparison_csv(outcomes));
    std::printf(
        "\n%s\ncomparison: %s\n",
        comparison_table(outcomes).c_str(),
        (dir / "comparison.csv").string().c_str());
  }
  std::fflush(stdout);
  if (!o.no_plot) {
    const PlotOutcome plot = plot_run(dir);
    if (plot.written) {
      std::fputs(plot.message.c_str(), stdout);
    } else {
      std::fprintf(stderr, "note: %s\n", plot.message.c_str());
    }
  }
  return diverged ? kExitDiverged : kExitOk;
}

}  // namespace

CommandRunner setup_train_command(CLI::App& command) {
  auto o = std::make_shared<TrainCliOptions>();
  command.add_option("config", o->config, "model or experiment config (JSON)")
      ->required();
  command.add_option(
      "--out", o->out, "run directory (default: runs/<config file name>)");
  command.add_option(
      "--resume",
      o->resume,
      "continue the run in DIR (finished ones: no-op; a damaged latest "
      "checkpoint falls back to the previous one)");
  command.add_option("--epochs", o->epochs, "override train.epochs");
  command.add_option("--seed", o->seed, "override the config's seed");
  command.add_option("--threads", o->threads, "OpenMP threads")
      ->check(CLI::Range(1, 1024));
  command.add_option(
      "--train-subset",
      o->train_subset,
      "train on the first N training samples only");
  command.add_option(
      "--test-subset", o->test_subset, "evaluate on the first N test samples");
  command.add_option(
      "--data-dir",
      o->data_dir,
      "override train.dataset.dir (fashion-mnist, mnist, cifar10)");
  add_load_options(
      command,
      o->load,
      "--init-from",
      "start from the parameters and buffers FILE.safetensors holds (by "
      "path); the rest is initialized as the config says (a resumed run "
      "continues from its checkpoint instead)");
  command.add_flag("--no-plot", o->no_plot, "do not run plot_training.py");
  command.add_flag(
      "--check-finite,!--no-check-finite",
      o->check_finite,
      "fail (exit 3) if a scheme writes a NaN or Inf (default on)");
  command
      .add_option(
          "--stop-after-steps",
          o->stop_after_steps,
          "stop after N optimizer steps (simulates a kill)")
      ->group("");
  add_config_plugin_options(command, o->plugins);
  return [o] { return run_train(*o); };
}

}  // namespace initforge::cli
