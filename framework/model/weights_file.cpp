// SPDX-License-Identifier: Apache-2.0
#include "framework/model/weights_file.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/io/safetensors.h"
#include "framework/io/tensor_checksums.h"

namespace initforge {

ParamInitRecord init_record(const PlannedParam& p) {
  const auto dims = p.info.shape.dims();
  if (p.load) {
    return {
        .path = p.info.path,
        .shape = {dims.begin(), dims.end()},
        .scheme = "loaded",
        .args = {},
        .source = p.load->description() +
                  (p.calibration ? ", then " + p.calibration->scheme + " by " +
                                       p.calibration->source_text
                                 : ""),
        .pointer = p.load->pointer,
        .library_path = ""};
  }
  return {
      .path = p.info.path,
      .shape = {dims.begin(), dims.end()},
      .scheme = p.scheme,
      .args = p.args.values(),
      // A post_init step is part of how the values came about.
      .source = p.calibration && p.calibration->pointer != p.pointer
                    ? p.source_text + ", then " + p.calibration->scheme +
                          " by " + p.calibration->source_text
                    : p.source_text,
      .pointer = p.source == InitSource::Default ? "" : p.pointer,
      .library_path = p.library_path};
}

void save_weights(const std::filesystem::path& path, const Model& model) {
  const InitPlan& plan = model.plan();
  if (model.params().size() != plan.params.size()) {
    throw Error("save_weights: the model is not initialized");
  }
  const RandomSource& source = model.random_source();
  InitManifest manifest{
      .model = model.config().name,
      .config = model.config().file,
      .rng = std::string(to_string(source.kind())),
      .seed = source.seed(),
      .params = {},
      .buffers = {}};
  std::vector<SafetensorsTensor> tensors;
  for (std::size_t i = 0; i < plan.params.size(); ++i) {
    manifest.params.push_back(init_record(plan.params[i]));
    tensors.push_back(SafetensorsTensor::f32(
        plan.params[i].info.path, model.params()[i].view()));
  }
  for (std::size_t i = 0; i < plan.buffers.size(); ++i) {
    manifest.buffers.push_back(plan.buffers[i].path);
    tensors.push_back(SafetensorsTensor::f32(
        plan.buffers[i].path, model.buffers()[i].view()));
  }
  // nn.BatchNorm*d's third buffer: an int64 scalar, 0 before training.
  static const std::int64_t kZero = 0;
  const auto nodes = model.graph().nodes();
  for (const GraphNode& node : nodes) {
    if (node.type != "BatchNorm2d" && node.type != "BatchNorm1d") continue;
    const std::string name = node.name + ".num_batches_tracked";
    manifest.buffers.push_back(name);
    tensors.push_back(SafetensorsTensor::i64(name, {}, {&kZero, 1}));
  }
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"}, {kManifestKey, init_manifest_json(manifest)}};
  write_checksummed_safetensors(path, tensors, metadata);
}

}  // namespace initforge
