// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/run_dir.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "framework/io/json_compare.h"

namespace initforge::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 3> kRunFiles = {
    "metrics.csv", "summary.json", "checkpoint"};

// CSV: 6 significant digits; table: fixed decimals.
enum class Style { Csv, Table };

std::string number(double value, Style style, int table_decimals = 4) {
  char buffer[64];
  if (style == Style::Csv) {
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.*f", table_decimals, value);
  }
  return buffer;
}

// One row per variant; "" for metrics of a variant without a finished epoch.
std::vector<std::vector<std::string>> comparison_rows(
    const std::vector<VariantOutcome>& outcomes, Style style) {
  std::vector<std::vector<std::string>> rows;
  for (const VariantOutcome& o : outcomes) {
    std::vector<std::string> row = {o.name};
    if (o.epochs.empty()) {
      row.insert(row.end(), 6, "");
    } else {
      const EpochMetrics& last = o.epochs.back();
      double best = o.epochs.front().test_acc, seconds = 0.0;
      for (const EpochMetrics& m : o.epochs) {
        best = std::max(best, m.test_acc);
        seconds += m.seconds;
      }
      for (const double v :
           {last.train_loss, last.train_acc, last.test_loss, last.test_acc}) {
        row.push_back(number(v, style));
      }
      row.push_back(number(best, style));
      row.push_back(
          style == Style::Csv ? number(seconds, Style::Table, 3)
                              : number(seconds, Style::Table, 1));
    }
    row.push_back(o.diverged ? "1" : "0");
    row.push_back(std::to_string(o.epochs.size()));
    rows.push_back(std::move(row));
  }
  return rows;
}

const std::vector<std::string> kComparisonHeader = {
    "variant",
    "train_loss",
    "train_acc",
    "test_loss",
    "test_acc",
    "best_test_acc",
    "seconds",
    "diverged",
    "epochs"};

}  // namespace

std::optional<fs::path> existing_run_file(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  if (fs::exists(dir / "comparison.csv", ec)) return dir / "comparison.csv";
  for (const char* name : kRunFiles) {
    if (fs::exists(dir / name, ec)) return dir / name;
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_directory(ec)) continue;
    for (const char* name : kRunFiles) {
      if (fs::exists(entry.path() / name, ec)) return entry.path() / name;
    }
  }
  return std::nullopt;
}

std::optional<RecordedSummary> read_recorded_run(const fs::path& dir) {
  const fs::path file = dir / "summary.json";
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_train_summary(text.str(), file.string());
}

bool same_config(const RecordedSummary& run, const std::string& config_json) {
  return canonical_json(config_json) == run.config_json;
}

std::string config_difference(
    const RecordedSummary& run, const std::string& config_json) {
  const auto differences = json_differences(run.config_json, config_json);
  if (!differences) return "the config text";
  std::string text;
  int shown = 0;
  for (const JsonDifference& d : *differences) {
    if (shown++ == 3) {
      text += ", ...";
      break;
    }
    text += (text.empty() ? "" : ", ") + d.pointer +
            " (the run's: " + d.before.value_or("unset") +
            "; now: " + d.after.value_or("unset") + ")";
  }
  return text;
}

std::string comparison_csv(const std::vector<VariantOutcome>& outcomes) {
  std::string text;
  const auto append = [&text](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      text += (i ? "," : "") + cells[i];
    }
    text += '\n';
  };
  append(kComparisonHeader);
  for (const auto& row : comparison_rows(outcomes, Style::Csv)) append(row);
  return text;
}

std::string comparison_table(const std::vector<VariantOutcome>& outcomes) {
  auto rows = comparison_rows(outcomes, Style::Table);
  for (auto& row : rows) {
    std::string& diverged = row[row.size() - 2];
    diverged = diverged == "1" ? "yes" : "no";
    for (std::string& cell : row) {
      if (cell.empty()) cell = "-";
    }
  }
  rows.insert(rows.begin(), kComparisonHeader);
  std::vector<std::size_t> widths(kComparisonHeader.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string cell = row[i];
      if (i + 1 < row.size()) cell.resize(widths[i] + 2, ' ');
      line += cell;
    }
    text += line + "\n";
  }
  return text;
}

}  // namespace initforge::cli
