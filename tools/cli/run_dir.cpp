// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/run_dir.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "framework/core/error.h"

namespace initforge::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

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

std::optional<RecordedRun> read_recorded_run(const fs::path& dir) {
  const fs::path file = dir / "summary.json";
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  const json doc = json::parse(text.str(), nullptr, false);
  const auto number = [](const json& v) {
    return v.is_number() ? v.get<double>() : std::nan("");
  };
  try {
    RecordedRun run;
    run.status = doc.at("status").get<std::string>();
    if (doc.at("error").is_string())
      run.error = doc["error"].get<std::string>();
    run.config = doc.at("config").dump();
    for (const json& m : doc.at("metrics")) {
      run.epochs.push_back(
          {.epoch = m.at("epoch").get<std::int64_t>(),
           .train_loss = number(m.at("train_loss")),
           .train_acc = number(m.at("train_acc")),
           .test_loss = number(m.at("test_loss")),
           .test_acc = number(m.at("test_acc")),
           .seconds = number(m.at("seconds")),
           .lr = number(m.value("lr", json()))});
    }
    return run;
  } catch (const json::exception& e) {
    throw IoError(
        file.string() +
        ": not a training summary of initforge train: " + e.what());
  }
}

bool same_config(const RecordedRun& run, const std::string& config_json) {
  const json config = json::parse(config_json, nullptr, false);
  return !config.is_discarded() && config.dump() == run.config;
}

std::string config_difference(
    const RecordedRun& run, const std::string& config_json) {
  const json was = json::parse(run.config, nullptr, false);
  const json now = json::parse(config_json, nullptr, false);
  if (was.is_discarded() || now.is_discarded()) return "the config text";
  std::string text;
  int shown = 0;
  for (const json& op : json::diff(was, now)) {
    const std::string path = op.at("path").get<std::string>();
    const json::json_pointer pointer(path);
    if (shown++ == 3) {
      text += ", ...";
      break;
    }
    text +=
        (text.empty() ? "" : ", ") + path + " (the run's: " +
        (was.contains(pointer) ? was.at(pointer).dump() : "unset") +
        "; now: " + (now.contains(pointer) ? now.at(pointer).dump() : "unset") +
        ")";
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

void write_file_atomically(const fs::path& file, const std::string& text) {
  const fs::path temp =
      file.parent_path() /
      ("." + file.filename().string() + ".tmp." + std::to_string(::getpid()));
  const auto fail = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw IoError(file.string() + ": " + what + ": " + reason);
  };
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail("cannot create a temporary file next to it");
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      fail("write failed");
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("fsync failed");
  }
  if (::close(fd) != 0) fail("close failed");
  if (::rename(temp.c_str(), file.c_str()) != 0) fail("rename failed");
}

}  // namespace initforge::cli
