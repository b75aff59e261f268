// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/progress.h"

#include <algorithm>
#include <cmath>

#include <sys/ioctl.h>
#include <unistd.h>

#include "framework/core/utf8.h"

namespace initforge::cli {
namespace {

// Redrawing more often than this only costs time: nobody reads that fast.
constexpr std::chrono::milliseconds kRedrawInterval{100};

int terminal_width(std::FILE* file) {
  winsize size{};
  if (::ioctl(::fileno(file), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  return 80;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string pad_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text
                              : std::string(width - text.size(), ' ') + text;
}

}  // namespace

bool is_terminal(std::FILE* file) {
  return ::isatty(::fileno(file)) == 1;
}

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  if (total < 60) return std::to_string(total) + " s";
  char buffer[64];
  const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
  if (h > 0) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", h, m, s);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", m, s);
  }
  return buffer;
}

std::string epoch_line(const EpochMetrics& m, std::int64_t epochs) {
  char buffer[256];
  std::snprintf(
      buffer,
      sizeof buffer,
      "epoch %lld/%lld  train_loss %.4f  train_acc %.4f  test_loss %.4f  "
      "test_acc %.4f  %.1f s",
      static_cast<long long>(m.epoch),
      static_cast<long long>(epochs),
      m.train_loss,
      m.train_acc,
      m.test_loss,
      m.test_acc,
      m.seconds);
  return buffer;
}

std::string progress_line(
    const StepProgress& p, double eta_seconds, int width) {
  const std::string head = "epoch " + std::to_string(p.epoch) + "/" +
                           std::to_string(p.epochs) + " [";
  // Padded fields keep the line's length, and so the bar's, steady.
  const std::string steps = std::to_string(p.steps);
  const std::string tail = "] " +
                           pad_left(std::to_string(p.step), steps.size()) +
                           "/" + steps + "  loss " + fixed(p.loss, 4) + "  " +
                           pad_left(fixed(p.samples_per_second, 0), 6) +
                           " samples/s  ETA " + duration_text(eta_seconds);
  const std::size_t tail_room =
      tail.size() - duration_text(eta_seconds).size() + 7;
  // One column spare: writing the last column makes some terminals wrap.
  const int room = width - 1 - static_cast<int>(head.size() + tail_room);
  const int cells = std::clamp(room, 10, 40);
  const double done =
      p.steps > 0 ? static_cast<double>(p.step) / static_cast<double>(p.steps)
                  : 0.0;
  const int filled =
      std::clamp(static_cast<int>(std::floor(done * cells)), 0, cells);
  return head + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(cells - filled), '.') + tail;
}

ConsoleProgress::ConsoleProgress(
    bool bar, std::int64_t epochs, std::FILE* out, std::FILE* err)
    : bar_(bar), out_(out), err_(err), epochs_(epochs) {}

ConsoleProgress::~ConsoleProgress() {
  clear();
}

void ConsoleProgress::on_start(std::int64_t first_epoch, std::int64_t epochs) {
  epochs_ = epochs;
  epoch_start_ = Clock::now();
  steps_before_ = -1;
  if (first_epoch > epochs) {
    std::fprintf(
        out_,
        "already finished: %lld epochs\n",
        static_cast<long long>(epochs));
  } else if (first_epoch > 1) {
    std::fprintf(
        out_,
        "resuming at epoch %lld/%lld\n",
        static_cast<long long>(first_epoch),
        static_cast<long long>(epochs));
  }
  std::fflush(out_);
}

double ConsoleProgress::eta(const StepProgress& p) const {
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - epoch_start_).count();
  // Steps since the clock started: a resumed epoch starts mid-way.
  const std::int64_t done = p.step - steps_before_;
  if (done < 1) return -1.0;
  const double per_step = elapsed / static_cast<double>(done);
  const double epoch_estimate = last_epoch_seconds_ > 0
                                    ? last_epoch_seconds_
                                    : per_step * static_cast<double>(p.steps);
  return per_step * static_cast<double>(p.steps - p.step) +
         epoch_estimate * static_cast<double>(p.epochs - p.epoch);
}

void ConsoleProgress::on_step(const StepProgress& progress) {
  if (!bar_) return;
  if (steps_before_ < 0) steps_before_ = progress.step - 1;
  const Clock::time_point now = Clock::now();
  if (progress.step != progress.steps && now - last_draw_ < kRedrawInterval) {
    return;
  }
  last_draw_ = now;
  const std::string line =
      progress_line(progress, eta(progress), terminal_width(err_));
  // \r back to column 0, the line, then erase whatever a longer line left.
  std::fprintf(err_, "\r%s\033[K", line.c_str());
  std::fflush(err_);
  drawn_ = true;
}

void ConsoleProgress::on_epoch(const EpochMetrics& metrics) {
  clear();
  std::fprintf(out_, "%s\n", epoch_line(metrics, epochs_).c_str());
  std::fflush(out_);
  last_epoch_seconds_ = metrics.seconds;
  epoch_start_ = Clock::now();
  steps_before_ = -1;
}

void ConsoleProgress::on_warning(const std::string& message) {
  clear();
  std::string line = "warning: " + escape_invalid_utf8(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(err_, "%s\n", line.c_str());
  std::fflush(err_);
}

void ConsoleProgress::clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", err_);
  std::fflush(err_);
  drawn_ = false;
}

}  // namespace initforge::cli
