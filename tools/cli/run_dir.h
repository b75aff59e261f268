// SPDX-License-Identifier: Apache-2.0
#pragma once

// The run directories of `initforge train` as the CLI sees them: is there a
// run in a directory already, what did it record (summary.json), and the
// comparison of an experiment's variants (comparison.csv and its table).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "framework/io/train_report_json.h"

namespace initforge::cli {

/// The file that names a directory as holding a training run, if any:
/// metrics.csv, summary.json, checkpoint or comparison.csv, directly in
/// `dir` or in one of its subdirectories (an experiment's variants).
std::optional<std::filesystem::path> existing_run_file(
    const std::filesystem::path& dir);

/// dir/summary.json read back; nullopt when there is none. IoError naming
/// the file when it is not a summary.
std::optional<RecordedSummary> read_recorded_run(
    const std::filesystem::path& dir);

/// Whether `config_json` (ModelConfig::json) is the config `run` recorded.
bool same_config(const RecordedSummary& run, const std::string& config_json);

/// Where `config_json` differs from the config `run` recorded, e.g.
/// "/train/epochs (the run's: 2; now: 3)", up to three places.
std::string config_difference(
    const RecordedSummary& run, const std::string& config_json);

/// How one variant of an experiment ended.
struct VariantOutcome {
  std::string name;
  std::vector<EpochMetrics> epochs;  // every finished epoch
  bool diverged = false;
};

/// comparison.csv: variant, final train_loss/acc and test_loss/acc, best
/// test_acc, total seconds (sum over epochs), diverged (0/1), epochs done.
std::string comparison_csv(const std::vector<VariantOutcome>& outcomes);

/// The same as an aligned text table for the terminal.
std::string comparison_table(const std::vector<VariantOutcome>& outcomes);

}  // namespace initforge::cli
