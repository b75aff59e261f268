// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs plot_training.py on a run directory. Plots are a convenience:
// a machine without python3 or matplotlib still trains, it only says why
// the plots were skipped.

#include <filesystem>
#include <string>

namespace initforge::cli {

/// What happened to the plots.
struct PlotOutcome {
  bool written = false;
  /// written: the script's own report (the files); otherwise one line
  /// saying why the plots were skipped or what failed.
  std::string message;
};

/// `python3 SCRIPT RUN_DIR` with SCRIPT the installed plot_training.py
/// (<prefix>/share/initforge/) or else the source tree's this binary was
/// built from, and python3 from PATH (else /usr/bin/python3). Never throws for
/// a missing interpreter, library or script.
PlotOutcome plot_run(const std::filesystem::path& run_dir);

}  // namespace initforge::cli
