// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs tools/plot_training.py on a run directory. Plots are a convenience:
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

/// `python3 SCRIPT RUN_DIR` with SCRIPT the plot_training.py of the source
/// tree this binary was built from (INITFORGE_PLOT_SCRIPT) and python3 from
/// PATH (else /usr/bin/python3). Never throws for a missing interpreter,
/// library or script.
PlotOutcome plot_run(const std::filesystem::path& run_dir);

}  // namespace initforge::cli
