// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers of train_cli_tests: the tiny configs, file and CSV reading, and
// running the binary with stderr on a pseudo-terminal.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/io.hpp>
#include <boost/process/posix.hpp>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/testing/spawn.h"
#include "tests/tools/run_cli.h"

namespace initforge::testing {

namespace fs = std::filesystem;

inline const fs::path kDatasetDir = "/usr/share/datasets/fashion-mnist";

inline const std::string kMetricsHeader =
    "epoch,train_loss,train_acc,test_loss,test_acc,seconds";
inline const std::string kComparisonHeader =
    "variant,train_loss,train_acc,test_loss,test_acc,best_test_acc,seconds,"
    "diverged,epochs";
inline const char* const kSummaryKeys[] = {
    "config",
    "config_hash",
    "seed",
    "rng",
    "versions",
    "status",
    "metrics",
    "wall_times",
    "probes"};

/// Two inits of the same MLP.
inline const std::string kTwoVariants =
    R"([{"name": "kaiming", "init_rules": [{"pattern": "Linear.weight",)"
    R"( "scheme": "kaiming_normal", "nonlinearity": "relu"}]},)"
    R"( {"name": "small", "init_rules": [{"pattern": "Linear.weight",)"
    R"( "scheme": "normal", "std": 0.01}]}])";
/// The first variant's learning rate overflows float in its second step.
inline const std::string kDiverging =
    R"([{"name": "explodes", "train": {"optimizer": {"lr": 1e38}}},)"
    R"( {"name": "fine"}])";

inline bool dataset_installed() {
  return fs::exists(kDatasetDir / "train-images-idx3-ubyte.gz");
}

/// A 784-32-10 MLP on 512 training / 256 test samples, batch 64 (8 steps
/// an epoch), 2 epochs; `variants` (JSON array text) makes an experiment.
inline std::string tiny_config(const std::string& variants = "") {
  std::string text = R"({
  "name": "tiny_mlp", "seed": 3, "input": [1, 28, 28],
  "layers": [
    {"name": "flatten", "type": "Flatten"},
    {"name": "fc1", "type": "Linear", "out_features": 32},
    {"name": "relu1", "type": "ReLU"},
    {"name": "fc2", "type": "Linear", "out_features": 10}
  ],
  "train": {
    "dataset": {"name": "fashion-mnist", "train_subset": 512, "test_subset": 256},
    "epochs": 2, "batch_size": 64, "eval_batch_size": 256, "probe_batch": 64,
    "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}
  })";
  if (!variants.empty()) text += ",\n  \"variants\": " + variants;
  return text + "\n}\n";
}

inline std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

inline std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
  return out;
}

inline std::vector<double> csv_numbers(const std::string& line) {
  std::vector<double> out;
  for (const std::string& cell : cells(line)) out.push_back(std::stod(cell));
  return out;
}

/// A metrics.csv without its wall-time column, which differs run to run.
inline std::string without_seconds(const std::string& csv) {
  const std::vector<std::string> rows = lines(csv);
  if (rows.empty()) return "";
  const std::vector<std::string> header = cells(rows[0]);
  std::string out;
  for (const std::string& row : rows) {
    const std::vector<std::string> c = cells(row);
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (i < header.size() && header[i] == "seconds") continue;
      out += c[i] + ",";
    }
    out += "\n";
  }
  return out;
}

/// `initforge train ARGS... --no-plot --threads 1` (one thread: a loaded
/// machine slows two spinning OpenMP threads much more than one).
inline CliResult train_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "train");
  args.insert(args.end(), {"--no-plot", "--threads", "1"});
  return run_cli(args);
}

/// Whether the plot script can find matplotlib (it falls back from
/// python3 to /usr/bin/python3 itself).
inline bool matplotlib_available() {
  return std::system(
             "python3 -c 'import matplotlib' >/dev/null 2>&1 || "
             "/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") == 0;
}

/// run_cli's `initforge ARGS...` in working directory `cwd`; only the exit
/// code (output is discarded).
inline int run_cli_in(
    const fs::path& cwd, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {INITFORGE_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn_capture(std::move(argv), nullptr, cwd).exit_code;
}

/// Runs the binary with stderr on a pseudo-terminal (stdout discarded) and
/// returns what it wrote there; "" when no terminal could be made.
inline std::string run_with_terminal_stderr(
    const std::vector<std::string>& args) {
  namespace bp = boost::process;
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    return "";
  }
  const std::string slave = ::ptsname(master);
  // Held open by us too, so the reader blocks (not EIO) until the child is
  // done; closing it after the wait ends the reader.
  const int slave_fd = ::open(slave.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  std::string text;
  // Read while it runs: a full terminal buffer would block the child.
  std::thread reader([&] {
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(master, buffer, sizeof buffer)) > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
    }
  });
  try {
    bp::child child(
        bp::exe = std::string(INITFORGE_CLI),
        bp::args = args,
        bp::std_out > bp::null,
        bp::posix::fd.bind(2, slave_fd),
        bp::posix::fd.close(master));
    child.wait();
  } catch (const bp::process_error&) {
    // Nothing was written: the caller sees "".
  }
  ::close(slave_fd);
  reader.join();
  ::close(master);
  return text;
}

}  // namespace initforge::testing
