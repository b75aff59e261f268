// SPDX-License-Identifier: Apache-2.0
#include "framework/train/checkpoint.h"

#include <cstring>
#include <map>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "framework/core/error.h"
#include "framework/io/safetensors.h"

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

void save_checkpoint(
    const fs::path& file,
    Model& model,
    const Optimizer& optimizer,
    const TrainState& state) {
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
  write_safetensors(
      file,
      tensors,
      {{"format", "pt"}, {kTrainStateKey, train_state_json(state)}});
}

TrainState load_checkpoint(
    const fs::path& file,
    Model& model,
    Optimizer& optimizer,
    const std::string& config_hash) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    throw IoError(
        file.string() +
        ": no checkpoint to resume from (the run directory holds no "
        "checkpoint/state.safetensors)");
  }
  const SafetensorsFile f = read_safetensors(file);
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

}  // namespace initforge
