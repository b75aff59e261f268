// SPDX-License-Identifier: Apache-2.0
#include "framework/train/run_files.h"

#include <cstdint>
#include <cstdio>

#include "framework/layers/dnnl_info.h"

#ifndef INITFORGE_VERSION
#error "INITFORGE_VERSION must be defined (train/sources.cmake does)"
#endif

namespace initforge {
namespace {

// Ten significant digits: readable, and two runs agree on the text exactly
// when they agree on the values to that precision.
std::string cell(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", v);
  return buffer;
}

}  // namespace

std::string metrics_csv(std::span<const EpochMetrics> rows) {
  std::string text = "epoch,train_loss,train_acc,test_loss,test_acc,seconds\n";
  for (const EpochMetrics& m : rows) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", m.seconds);
    text += std::to_string(m.epoch) + "," + cell(m.train_loss) + "," +
            cell(m.train_acc) + "," + cell(m.test_loss) + "," +
            cell(m.test_acc) + "," + seconds + "\n";
  }
  return text;
}

std::string probes_csv(
    std::span<const ProbeStats> probes,
    std::span<const std::string> param_types) {
  std::string text =
      "epoch,kind,name,type,activation_std,activation_mean,grad_std,"
      "value_std\n";
  for (const ProbeStats& p : probes) {
    const std::string epoch = std::to_string(p.epoch);
    for (const LayerProbe& l : p.layers) {
      text += epoch + ",layer," + l.layer + "," + l.type + "," +
              cell(l.activation_std) + "," + cell(l.activation_mean) + "," +
              cell(l.grad_std) + ",\n";
    }
    for (std::size_t i = 0; i < p.params.size(); ++i) {
      const ParamProbe& q = p.params[i];
      const std::string type = i < param_types.size() ? param_types[i] : "";
      text += epoch + ",param," + q.path + "," + type + ",,," +
              cell(q.grad_std) + "," + cell(q.value_std) + "\n";
    }
  }
  return text;
}

std::string config_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  char buffer[32];
  std::snprintf(
      buffer,
      sizeof buffer,
      "fnv1a64:%016llx",
      static_cast<unsigned long long>(h));
  return buffer;
}

TrainVersions build_versions() {
#if defined(__clang__)
  const std::string compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  const std::string compiler = "gcc " __VERSION__;
#else
  const std::string compiler = "unknown";
#endif
  return {INITFORGE_VERSION, onednn_version(), compiler};
}

}  // namespace initforge
