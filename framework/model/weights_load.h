// SPDX-License-Identifier: Apache-2.0
#pragma once

// Parameters and buffers whose values come from a safetensors file ("from"
// in a config, `--load-weights` / `--init-from` on the command line):
// planned and checked at build, read after the fills.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "framework/core/export.h"
#include "framework/core/shape.h"
#include "framework/core/tensor.h"
#include "framework/io/safetensors.h"
#include "framework/model/config.h"

namespace initforge {

/// One tensor to load, already found in its file with the destination's
/// shape and a float dtype.
struct PlannedLoad {
  std::filesystem::path file;
  std::string file_text;  // as the config or command line gave it
  std::shared_ptr<const SafetensorsFile> header;
  std::size_t entry = 0;    // index in header->tensors
  std::string source_text;  // "layer init", "rule 1 (layer*)", "--init-from"
  std::string pointer;      // of the "from" spec; "" for a command-line load

  const std::string& tensor() const {
    return header->tensors[entry].name;
  }
  /// "loaded from FILE (tensor NAME) by SOURCE": for manifests and reports.
  std::string description() const;
};

/// The headers of the files a model loads from, each read once.
class WeightsFiles {
 public:
  /// read_safetensors_header(file), cached; IoError naming the file.
  std::shared_ptr<const SafetensorsFile> header(
      const std::filesystem::path& file);

 private:
  std::map<std::filesystem::path, std::shared_ptr<const SafetensorsFile>>
      headers_;
};

/// The index of tensor `name` in `header`, or -1.
std::ptrdiff_t find_tensor(
    const SafetensorsFile& header, std::string_view name);

/// "" when tensor `entry` of `header` can fill a `shape` destination, else
/// why not ("tensor \"fc.weight\" is F32 [10, 512]; expected [100, 512]").
std::string load_mismatch(
    const SafetensorsFile& header, std::size_t entry, const Shape& shape);

/// "it has N tensors: a, b, ... (did you mean "x"?)" for a missing `name`.
std::string known_tensors(const SafetensorsFile& header, std::string_view name);

/// Finds what a model's parameters and buffers load, for plan_init. Errors
/// name the file and tensor: ConfigErrors at a spec's "from" pointer, or
/// UsageErrors naming the command-line flag.
class LoadPlanner {
 public:
  explicit LoadPlanner(const ModelConfig& config) : config_(config) {}

  /// The --load-weights / --init-from tensor named `path`; nullopt when
  /// there is no such load, or the file lacks `path` and the load is not
  /// strict.
  std::optional<PlannedLoad> whole_model(
      const std::string& path, const Shape& shape);
  /// `spec.from`'s tensor for `path` (its "tensor", else `path`); nullopt
  /// when the file lacks it and the spec falls through ("missing": "init").
  std::optional<PlannedLoad> from_spec(
      const InitSpec& spec,
      const std::string& source_text,
      const std::string& path,
      const Shape& shape,
      const LayerConfig& layer);
  /// With a strict whole-model load, every tensor of the file must have
  /// been loaded (BatchNorm's num_batches_tracked aside, which initforge
  /// does not keep).
  void check_all_used(
      std::span<const std::string> loaded,
      std::span<const std::string> layers_with_buffers);

 private:
  std::shared_ptr<const SafetensorsFile> whole_model_header();

  const ModelConfig& config_;
  WeightsFiles files_;
};

/// Reads the planned tensor into `dst` (its shape was checked at build).
/// With `check_finite`, a NaN or Inf in the file is an IoError naming the
/// file, the tensor and the index.
void read_planned(const PlannedLoad& load, Tensor& dst, bool check_finite);

}  // namespace initforge
