// SPDX-License-Identifier: Apache-2.0
#include "framework/model/weights_file.h"

#include <cstring>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "framework/io/safetensors.h"
#include "framework/io/tensor_checksums.h"

#include "tests/model/model_test_util.h"
#include "tests/testing/builtin_registry.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::builtin_registry;
using testing::with_layers;

TEST(SaveWeights, NamesArePathsAndTheManifestSaysWhyEachSchemeWasChosen) {
  const ModelConfig c = with_layers(
      "[2, 5, 5]",
      R"({"name": "conv", "type": "Conv2d", "out_channels": 4, "kernel_size": 3, "bias": false,
          "init": {"weight": {"scheme": "kaiming_normal", "mode": "fan_out"}}},
         {"name": "bn", "type": "BatchNorm2d"},
         {"name": "flat", "type": "Flatten"},
         {"name": "fc", "type": "Linear", "out_features": 3})",
      R"(, "init_rules": [{"pattern": "*.bias", "scheme": "constant", "val": 0.5}])");
  auto model = Model::build(c, builtin_registry(), 1);
  model->initialize(RandomSource::create(RngKind::Torch, 17));
  const fs::path path =
      fs::temp_directory_path() /
      ("initforge_weights_" + std::to_string(::getpid()) + ".safetensors");
  save_weights(path, *model);
  // Every tensor (the int64 num_batches_tracked too) has its checksum.
  const SafetensorsFile file = read_verified_safetensors(path);
  fs::remove(path);
  EXPECT_EQ(
      json::parse(file.metadata.at(kChecksumKey)).size(),
      file.tensors.size() + 1);

  std::vector<std::string> names;
  for (const SafetensorsEntry& e : file.tensors) names.push_back(e.name);
  EXPECT_THAT(
      names,
      ::testing::UnorderedElementsAre(
          "conv.weight",
          "bn.weight",
          "bn.bias",
          "bn.running_mean",
          "bn.running_var",
          "bn.num_batches_tracked",
          "fc.weight",
          "fc.bias"));
  for (std::size_t i = 0; i < model->plan().params.size(); ++i) {
    const Tensor saved = file.at(model->plan().params[i].info.path).to_tensor();
    EXPECT_EQ(saved.shape(), model->params()[i].shape());
    EXPECT_EQ(
        std::memcmp(
            saved.data(), model->params()[i].data(), saved.span().size_bytes()),
        0);
  }
  EXPECT_EQ(file.at("bn.running_var").to_tensor().data()[3], 1.0f);
  EXPECT_EQ(file.at("bn.num_batches_tracked").dtype, "I64");

  EXPECT_EQ(file.metadata.at("format"), "pt");
  const json m = json::parse(file.metadata.at(kManifestKey));
  EXPECT_EQ(m["rng"], "torch");
  EXPECT_EQ(m["seed"], 17);
  EXPECT_EQ(m["config"], "t.json");
  const json& p = m["params"];
  EXPECT_EQ(p["conv.weight"]["source"], "layer init");
  EXPECT_EQ(p["conv.weight"]["pointer"], "/layers/0/init/weight");
  EXPECT_EQ(p["conv.weight"]["args"]["mode"], "fan_out");
  EXPECT_EQ(p["bn.bias"]["source"], "rule 0 (*.bias)");
  EXPECT_EQ(p["bn.bias"]["args"]["val"], 0.5);
  EXPECT_EQ(p["bn.weight"]["source"], "default for BatchNorm2d");
  EXPECT_EQ(p["fc.weight"]["scheme"], "kaiming_uniform");
  EXPECT_TRUE(p["fc.weight"]["pointer"].is_null());
  EXPECT_THAT(
      p["fc.weight"]["library_path"].get<std::string>(),
      ::testing::HasSubstr("variance_scaling"));
  EXPECT_EQ(p["fc.bias"]["order"], 4);
  EXPECT_EQ(
      m["buffers"],
      json({"bn.running_mean", "bn.running_var", "bn.num_batches_tracked"}));
}

TEST(SaveWeights, BatchNorm1dGetsNumBatchesTrackedAndTheOtherNormsNone) {
  // nn.BatchNorm1d's state_dict has num_batches_tracked; nn.LayerNorm's and
  // nn.GroupNorm's only weight and bias.
  const ModelConfig c = with_layers(
      "[6, 4]",
      R"({"name": "ln", "type": "LayerNorm", "normalized_shape": [6, 4]},
         {"name": "gn", "type": "GroupNorm", "num_groups": 2},
         {"name": "bn", "type": "BatchNorm1d"})");
  auto model = Model::build(c, builtin_registry(), 1);
  model->initialize(RandomSource::create(RngKind::Torch, 3));
  const fs::path path =
      fs::temp_directory_path() /
      ("initforge_weights_norm_" + std::to_string(::getpid()) + ".safetensors");
  save_weights(path, *model);
  const SafetensorsFile file = read_verified_safetensors(path);
  fs::remove(path);
  std::vector<std::string> names;
  for (const SafetensorsEntry& e : file.tensors) names.push_back(e.name);
  EXPECT_THAT(
      names,
      ::testing::UnorderedElementsAre(
          "ln.weight",
          "ln.bias",
          "gn.weight",
          "gn.bias",
          "bn.weight",
          "bn.bias",
          "bn.running_mean",
          "bn.running_var",
          "bn.num_batches_tracked"));
  EXPECT_EQ(file.at("ln.weight").shape, (std::vector<std::int64_t>{6, 4}));
  EXPECT_EQ(file.at("gn.bias").shape, (std::vector<std::int64_t>{6}));
  EXPECT_EQ(file.at("ln.weight").to_tensor().data()[23], 1.0f);
  EXPECT_EQ(file.at("bn.num_batches_tracked").dtype, "I64");
}

}  // namespace
}  // namespace initforge
