// SPDX-License-Identifier: Apache-2.0
#include "framework/train/checkpoint.h"

#include <cstring>
#include <map>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "framework/core/error.h"
#include "framework/io/atomic_file.h"
#include "framework/io/safetensors.h"
#include "framework/io/tensor_checksums.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kOptimizerPrefix = "optimizer/";

[[noreturn]] void corrupt(const fs::path& file, const std::string& what) {
  throw IoError(file.string() + ": corrupt checkpoint: " + what);
}

// Copies the tensor `name` of `entries` into `dst` after checking it.
void restore(
    const fs::path& file,
    const std::map<std::string, const SafetensorsEntry*>& entries,
    const std::string& name,
    Tensor& dst,
    std::set<std::string>& used) {
  const auto it = entries.find(name);
  if (it == entries.end()) corrupt(file, "no tensor \"" + name + "\"");
  const SafetensorsEntry& e = *it->second;
  const auto dims = dst.shape().dims();
  if (e.dtype != "F32" ||
      !std::equal(e.shape.begin(), e.shape.end(), dims.begin(), dims.end())) {
    corrupt(
        file,
        "tensor \"" + name + "\" is " + e.dtype + " " +
            Shape(std::span<const std::int64_t>(e.shape)).to_string() +
            "; expected F32 " + dst.shape().to_string());
  }
  std::memcpy(dst.data(), e.bytes.data(), e.bytes.size());
  used.insert(name);
}

}  // namespace

fs::path checkpoint_file(const fs::path& run_dir) {
  return run_dir / "checkpoint" / "state.safetensors";
}

fs::path previous_checkpoint_file(const fs::path& run_dir) {
  return run_dir / "checkpoint" / "state.prev.safetensors";
}

void save_checkpoint(
    const fs::path& run_dir,
    Model& model,
    const Optimizer& optimizer,
    const TrainState& state,
    bool keep_previous) {
  model.sync_buffers();
  const InitPlan& plan = model.plan();
  std::vector<SafetensorsTensor> tensors;
  for (std::size_t i = 0; i < plan.params.size(); ++i) {
    tensors.push_back(SafetensorsTensor::f32(
        plan.params[i].info.path, model.params()[i].view()));
  }
  for (std::size_t i = 0; i < plan.buffers.size(); ++i) {
    tensors.push_back(SafetensorsTensor::f32(
        plan.buffers[i].path, model.buffers()[i].view()));
  }
  const OptimizerState opt = optimizer.state();
  for (const auto& [key, tensor] : opt) {
    tensors.push_back(SafetensorsTensor::f32(
        std::string(kOptimizerPrefix) + key, tensor.view()));
  }
  const auto metadata = with_checksums(
      tensors, {{"format", "pt"}, {kTrainStateKey, train_state_json(state)}});
  const fs::path file = checkpoint_file(run_dir);
  std::error_code ec;
  if (keep_previous && fs::exists(file, ec)) {
    // A second name for the latest file, then the new one replaces the
    // latest name atomically: a complete checkpoint is always under it.
    keep_as(file, previous_checkpoint_file(run_dir));
  }
  write_safetensors(file, tensors, metadata);
}

TrainState load_checkpoint(
    const fs::path& file,
    Model& model,
    Optimizer& optimizer,
    const std::string& config_hash,
    const CheckpointLimits& limits) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    throw IoError(
        file.string() +
        ": no checkpoint to resume from (the run directory holds no "
        "checkpoint/state.safetensors)");
  }
  const SafetensorsFile f = read_verified_safetensors(file);
  const auto meta = f.metadata.find(kTrainStateKey);
  if (meta == f.metadata.end()) {
    corrupt(file, std::string("no \"") + kTrainStateKey + "\" metadata");
  }
  TrainState state = parse_train_state(meta->second, file.string());
  if (state.config_hash != config_hash) {
    throw UsageError(
        file.string() + ": the checkpoint belongs to another config (model \"" +
        state.model + "\", " + state.config_hash + "); this config (model \"" +
        model.config().name + "\") is " + config_hash +
        "; resume a run with the config it was started with");
  }
  const auto done = static_cast<std::size_t>(state.epochs_done);
  if (state.epochs_done < 0 || state.epochs_done > limits.epochs ||
      state.metrics.size() != done || state.times.size() != done ||
      state.probes.size() != done + 1 || state.step < 0 ||
      state.step >= limits.steps_per_epoch) {
    corrupt(
        file,
        "its epoch, step and history do not fit together or the config's " +
            std::to_string(limits.epochs) + " epochs");
  }
  std::map<std::string, const SafetensorsEntry*> entries;
  for (const SafetensorsEntry& e : f.tensors) entries[e.name] = &e;
  std::set<std::string> used;
  const InitPlan& plan = model.plan();
  for (std::size_t i = 0; i < plan.params.size(); ++i) {
    restore(
        file,
        entries,
        plan.params[i].info.path,
        model.mutable_params()[i],
        used);
  }
  for (std::size_t i = 0; i < plan.buffers.size(); ++i) {
    restore(
        file, entries, plan.buffers[i].path, model.mutable_buffers()[i], used);
  }
  OptimizerState opt;
  for (const SafetensorsEntry& e : f.tensors) {
    if (used.count(e.name) != 0) continue;
    if (!e.name.starts_with(kOptimizerPrefix) || e.dtype != "F32") {
      corrupt(file, "unexpected tensor \"" + e.name + "\" (" + e.dtype + ")");
    }
    opt.emplace(e.name.substr(kOptimizerPrefix.size()), e.to_tensor());
  }
  optimizer.load_state(opt);
  return state;
}

ResumePoint load_latest_checkpoint(
    const fs::path& run_dir,
    Model& model,
    Optimizer& optimizer,
    const std::string& config_hash,
    const CheckpointLimits& limits) {
  const fs::path latest = checkpoint_file(run_dir);
  const fs::path previous = previous_checkpoint_file(run_dir);
  std::error_code ec;
  const bool have_latest = fs::exists(latest, ec);
  const bool have_previous = fs::exists(previous, ec);
  std::string why;
  if (have_latest || !have_previous) {
    try {
      return {
          load_checkpoint(latest, model, optimizer, config_hash, limits),
          latest,
          ""};
    } catch (const IoError& e) {
      if (!have_latest || !have_previous) {
        throw IoError(
            std::string(e.what()) +
            (have_latest ? "; there is no previous checkpoint " +
                               previous.string() + " to fall back to"
                         : ""));
      }
      why = e.what();
    }
  } else {
    why = latest.string() +
          " is missing (the run stopped while the next checkpoint was being "
          "written)";
  }
  // A failed load may have restored part of the model: the previous
  // checkpoint restores all of it again.
  try {
    ResumePoint point{
        load_checkpoint(previous, model, optimizer, config_hash, limits),
        previous,
        ""};
    point.fallback = why + "; resuming from the previous checkpoint " +
                     previous.string() + " (global step " +
                     std::to_string(point.state.global_step) +
                     ") and training the steps since again";
    return point;
  } catch (const IoError& e) {
    throw IoError(
        "no usable checkpoint to resume from: " + why +
        "; the previous one: " + e.what());
  }
}

}  // namespace initforge
