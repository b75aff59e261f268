// SPDX-License-Identifier: Apache-2.0
#pragma once

// Plain structs for what `initforge run` reports and what a weights file's
// init manifest records, and their JSON text (the CLI and model/ stay free
// of JSON types).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/init/args.h"
#include "framework/init/fans.h"
#include "framework/init/target.h"
#include "framework/io/report_json.h"

namespace initforge {

/// How one parameter was initialized and why that scheme was chosen.
struct ParamInitRecord {
  std::string path;  // "fc1.weight"
  std::vector<std::int64_t> shape;
  std::string scheme;
  std::map<std::string, ArgValue> args;  // defaults applied
  std::string source;   // "layer init", "rule 0 (*.bias)", "default for Linear"
  std::string pointer;  // JSON pointer of the spec; "" for a default
  std::string library_path;
};

/// The "initforge.manifest" metadata of a weights file.
struct InitManifest {
  std::string model;
  std::string config;
  std::string rng;
  std::uint64_t seed = 0;
  std::vector<ParamInitRecord> params;
  std::vector<std::string> buffers;  // paths of the saved buffers
};

/// One parameter of a run: its record, fans, declared and measured values.
struct RunParamReport {
  ParamInitRecord init;
  std::optional<Fans> fans;
  Target target;
  ValueStats stats;
};

/// One layer of a run: its output (with the batch) at initialization.
struct RunLayerReport {
  std::string name;
  std::string type;
  std::vector<std::string> inputs;
  std::vector<std::int64_t> output_shape;
  ValueStats stats;
};

/// Everything `initforge run --json` prints.
struct RunReport {
  std::string config;
  std::string model;
  std::string rng;
  std::uint64_t seed = 0;
  std::int64_t batch = 0;
  int threads = 0;
  std::string thread_placement;  // PinnedThreads::placement()
  std::string input;             // "random normal" or the .npy path
  std::vector<std::int64_t> input_shape;
  std::vector<std::int64_t> output_shape;
  std::int64_t parameter_elements = 0;
  std::int64_t memory_bytes = 0;  // the estimate checked before allocation
  std::vector<RunParamReport> params;
  std::vector<RunLayerReport> layers;
  double init_ms = 0, prepare_ms = 0;
  // The first forward includes oneDNN's one-time costs (kernel JIT, first
  // touch of buffers); forward_ms times a second, identical pass.
  double first_forward_ms = 0, forward_ms = 0;
  std::string output_file;   // "" when none was written
  std::string weights_file;  // "" when none was written
  // Model::calibration_log(): one line per calibrated parameter and report.
  std::vector<std::string> calibration;
};

/// One JSON object (pretty-printed, newline-terminated).
INITFORGE_API std::string run_json(const RunReport& report);

/// Compact one-line JSON for a safetensors "__metadata__" value.
INITFORGE_API std::string init_manifest_json(const InitManifest& manifest);

}  // namespace initforge
