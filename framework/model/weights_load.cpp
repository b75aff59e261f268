// SPDX-License-Identifier: Apache-2.0
#include "framework/model/weights_load.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "framework/core/error.h"
#include "framework/init/text.h"

namespace initforge {

std::string PlannedLoad::description() const {
  return "loaded from " + file_text + " (tensor " + tensor() + ") by " +
         source_text;
}

std::shared_ptr<const SafetensorsFile> WeightsFiles::header(
    const std::filesystem::path& file) {
  auto& slot = headers_[file];
  if (!slot) {
    slot =
        std::make_shared<const SafetensorsFile>(read_safetensors_header(file));
  }
  return slot;
}

std::ptrdiff_t find_tensor(
    const SafetensorsFile& header, std::string_view name) {
  for (std::size_t i = 0; i < header.tensors.size(); ++i) {
    if (header.tensors[i].name == name) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

std::string load_mismatch(
    const SafetensorsFile& header, std::size_t entry, const Shape& shape) {
  const SafetensorsEntry& e = header.tensors[entry];
  const Shape stored(std::span<const std::int64_t>(e.shape));
  const std::string what =
      "tensor \"" + e.name + "\" is " + e.dtype + " " + stored.to_string();
  if (!safetensors_float_dtype(e.dtype)) {
    return what + "; expected a float tensor (F32, F16, BF16 or F64)";
  }
  if (stored != shape) return what + "; expected " + shape.to_string();
  return "";
}

std::string known_tensors(
    const SafetensorsFile& header, std::string_view name) {
  std::vector<std::string> names;
  for (const SafetensorsEntry& e : header.tensors) names.push_back(e.name);
  std::string list;
  for (std::size_t i = 0; i < names.size() && i < 8; ++i) {
    list += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > 8) list += ", ...";
  const std::string hint = closest_match(name, names);
  return "it has " + std::to_string(names.size()) + " tensors" +
         (names.empty() ? "" : ": " + list) +
         (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)");
}

std::shared_ptr<const SafetensorsFile> LoadPlanner::whole_model_header() {
  const WholeModelLoad& load = *config_.load_weights;
  try {
    return files_.header(load.file);
  } catch (const IoError& e) {
    throw UsageError(load.flag + ": " + e.what());
  }
}

std::optional<PlannedLoad> LoadPlanner::whole_model(
    const std::string& path, const Shape& shape) {
  if (!config_.load_weights) return std::nullopt;
  const WholeModelLoad& load = *config_.load_weights;
  const auto header = whole_model_header();
  const std::string where = load.flag + " " + load.file.string();
  const std::ptrdiff_t entry = find_tensor(*header, path);
  if (entry < 0) {
    if (!load.strict) return std::nullopt;
    throw UsageError(
        where + " (--strict-load): no tensor \"" + path +
        "\" for that parameter or buffer of the model; " +
        known_tensors(*header, path));
  }
  const auto index = static_cast<std::size_t>(entry);
  if (const std::string bad = load_mismatch(*header, index, shape);
      !bad.empty()) {
    throw UsageError(where + ": " + bad + " (" + path + " of the model)");
  }
  return PlannedLoad{
      .file = load.file,
      .file_text = load.file.string(),
      .header = header,
      .entry = index,
      .source_text = load.flag,
      .pointer = ""};
}

std::optional<PlannedLoad> LoadPlanner::from_spec(
    const InitSpec& spec,
    const std::string& source_text,
    const std::string& path,
    const Shape& shape,
    const LayerConfig& layer) {
  const LoadSpec& from = *spec.from;
  const std::string pointer = spec.pointer + "/from";
  std::shared_ptr<const SafetensorsFile> header;
  try {
    header = files_.header(from.file);
  } catch (const IoError& e) {
    throw ConfigError(config_.file, pointer, e.what() + origin_note(layer));
  }
  const std::string name = from.tensor.empty() ? path : from.tensor;
  const std::ptrdiff_t entry = find_tensor(*header, name);
  if (entry < 0) {
    if (from.missing_falls_through) return std::nullopt;
    throw ConfigError(
        config_.file,
        pointer,
        from.file_text + " has no tensor \"" + name + "\" for " + path + "; " +
            known_tensors(*header, name) +
            (from.in_rule
                 ? "; \"missing\": \"init\" initializes what the file lacks"
                 : "") +
            origin_note(layer));
  }
  const auto index = static_cast<std::size_t>(entry);
  if (const std::string bad = load_mismatch(*header, index, shape);
      !bad.empty()) {
    throw ConfigError(
        config_.file,
        pointer,
        from.file_text + ": " + bad + " (" + path + ")" + origin_note(layer));
  }
  return PlannedLoad{
      .file = from.file,
      .file_text = from.file_text,
      .header = header,
      .entry = index,
      .source_text = source_text,
      .pointer = spec.pointer};
}

void LoadPlanner::check_all_used(
    std::span<const std::string> loaded,
    std::span<const std::string> layers_with_buffers) {
  if (!config_.load_weights || !config_.load_weights->strict) return;
  const auto header = whole_model_header();
  std::vector<std::string> unused;
  for (const SafetensorsEntry& e : header->tensors) {
    if (std::find(loaded.begin(), loaded.end(), e.name) != loaded.end()) {
      continue;
    }
    const std::string suffix = ".num_batches_tracked";
    if (e.name.ends_with(suffix)) {
      const std::string layer = e.name.substr(0, e.name.size() - suffix.size());
      if (std::find(
              layers_with_buffers.begin(), layers_with_buffers.end(), layer) !=
          layers_with_buffers.end()) {
        continue;
      }
    }
    unused.push_back(e.name);
  }
  if (unused.empty()) return;
  throw UsageError(
      config_.load_weights->flag + " " + config_.load_weights->file.string() +
      " (--strict-load): tensor \"" + unused.front() +
      "\" is no parameter or buffer of the model" +
      (unused.size() > 1
           ? " (nor are " + std::to_string(unused.size() - 1) + " more)"
           : ""));
}

void read_planned(const PlannedLoad& load, Tensor& dst, bool check_finite) {
  const SafetensorsEntry& e = load.header->tensors[load.entry];
  read_safetensors_floats(load.file, *load.header, e, dst.span());
  if (!check_finite) return;
  const std::span<const float> values = dst.span();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw IoError(
          load.file.string() + ": tensor \"" + e.name + "\" holds " +
          (std::isnan(values[i]) ? "NaN" : "Inf") + " at index " +
          std::to_string(i) + " (--check-finite)");
    }
  }
}

}  // namespace initforge
