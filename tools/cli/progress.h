// SPDX-License-Identifier: Apache-2.0
#pragma once

// What `initforge train` shows while a model trains: on a terminal a
// one-line progress bar on stderr, redrawn in place; always one plain line
// per epoch on stdout (the only output when stderr is a pipe or a file).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "framework/train/trainer.h"

namespace initforge::cli {

/// "epoch 2/5  train_loss 0.4123  train_acc 0.8512  test_loss 0.4410
/// test_acc 0.8420  12.3 s" (two spaces between fields).
std::string epoch_line(const EpochMetrics& m, std::int64_t epochs);

/// "epoch 2/5 [#####.....] 120/469  loss 0.4123  8123 samples/s  ETA 1:02",
/// the bar sized so the whole line fits `width` columns.
std::string progress_line(const StepProgress& p, double eta_seconds, int width);

/// "42 s", "3:07", "1:02:03": a duration for humans.
std::string duration_text(double seconds);

/// Prints training progress; one instance per run (variant).
class ConsoleProgress : public TrainObserver {
 public:
  /// `bar`: draw the progress bar on `err` (true when it is a terminal);
  /// `epochs`: the run's total until on_start says otherwise.
  ConsoleProgress(
      bool bar,
      std::int64_t epochs,
      std::FILE* out = stdout,
      std::FILE* err = stderr);
  ~ConsoleProgress() override;
  ConsoleProgress(const ConsoleProgress&) = delete;
  ConsoleProgress& operator=(const ConsoleProgress&) = delete;

  void on_start(std::int64_t first_epoch, std::int64_t epochs) override;
  void on_step(const StepProgress& progress) override;
  void on_epoch(const EpochMetrics& metrics) override;
  /// "warning: <message>" on one line of `err`.
  void on_warning(const std::string& message) override;

  /// Removes the bar (before an error message or the final report).
  void clear();

 private:
  using Clock = std::chrono::steady_clock;
  double eta(const StepProgress& p) const;

  bool bar_;
  std::FILE* out_;
  std::FILE* err_;
  std::int64_t epochs_ = 0;
  bool drawn_ = false;
  Clock::time_point epoch_start_ = Clock::now();
  Clock::time_point last_draw_{};
  double last_epoch_seconds_ = 0.0;  // 0: no epoch finished yet
  std::int64_t steps_before_ = -1;   // steps of the epoch before the clock
                                     // started; -1: no step seen yet
};

/// True when `file` is a terminal.
bool is_terminal(std::FILE* file);

}  // namespace initforge::cli
