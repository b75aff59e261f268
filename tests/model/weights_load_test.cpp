// SPDX-License-Identifier: Apache-2.0
// Parameters and buffers loaded from safetensors files: "from" in a layer's
// init and in rules, `missing`, the whole-model load (--load-weights /
// --init-from), and what the draws of everything else stay.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/io/safetensors.h"
#include "framework/model/builder.h"
#include "framework/model/weights_file.h"

#include "tests/model/model_test_util.h"
#include "tests/testing/builtin_registry.h"
#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using testing::builtin_registry;
using testing::config_error;
using ::testing::HasSubstr;
using testing::TempDir;

// conv (no bias) -> bn -> flat -> fc: a parameter, a layer with buffers
// and a head.
const std::string kInput = "[2, 4, 4]";
const std::string kLayers = R"(
  {"name": "conv", "type": "Conv2d", "out_channels": 3, "kernel_size": 3,
   "bias": false},
  {"name": "bn", "type": "BatchNorm2d"},
  {"name": "flat", "type": "Flatten"},
  {"name": "fc", "type": "Linear", "out_features": 5})";

// `text` with `from` quoted into every "FROM" (a JSON string of the path).
std::string with_file(std::string text, const fs::path& from) {
  const std::string quoted = "\"" + from.string() + "\"";
  for (std::size_t at = text.find("FROM"); at != std::string::npos;
       at = text.find("FROM", at + quoted.size())) {
    text.replace(at, 4, quoted);
  }
  return text;
}

std::unique_ptr<Model> initialized(
    const ModelConfig& config, RngKind rng = RngKind::Philox) {
  auto model = Model::build(config, builtin_registry(), 2);
  model->initialize(RandomSource::create(rng, 11));
  return model;
}

std::vector<float> values(const Model& m, const std::string& path) {
  const InitPlan& plan = m.plan();
  for (std::size_t i = 0; i < plan.params.size(); ++i) {
    if (plan.params[i].info.path == path) {
      const auto s = m.params()[i].span();
      return {s.begin(), s.end()};
    }
  }
  for (std::size_t i = 0; i < plan.buffers.size(); ++i) {
    if (plan.buffers[i].path == path) {
      const auto s = m.buffers()[i].span();
      return {s.begin(), s.end()};
    }
  }
  ADD_FAILURE() << "no tensor " << path;
  return {};
}

std::vector<float> ramp(std::size_t n, float start) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = start + 0.25f * i;
  return v;
}

// A float32 tensor for write_safetensors (the vector must outlive it).
SafetensorsTensor f32(
    const std::string& name,
    std::vector<std::int64_t> shape,
    const std::vector<float>& v) {
  return {name, "F32", std::move(shape), std::as_bytes(std::span(v))};
}

TEST(WeightsLoad, LayerInitLoadsTheNamedTensor) {
  const TempDir dir;
  const std::vector<float> w = ramp(3 * 2 * 3 * 3, -1.0f);
  const SafetensorsTensor t = f32("backbone.0.weight", {3, 2, 3, 3}, w);
  write_safetensors(dir / "w.safetensors", {&t, 1}, {});
  std::string layers = kLayers;
  layers.replace(
      layers.find(R"("bias": false)"),
      13,
      R"("bias": false, "init": {"weight": {"from": FROM, "tensor": "backbone.0.weight"}})");
  const auto model = initialized(
      testing::with_layers(kInput, with_file(layers, dir / "w.safetensors")));
  EXPECT_EQ(values(*model, "conv.weight"), w);
  const ParamInitRecord record = init_record(model->plan().params[0]);
  EXPECT_EQ(record.scheme, "loaded");
  EXPECT_EQ(
      record.source,
      "loaded from " + (dir / "w.safetensors").string() +
          " (tensor backbone.0.weight) by layer init");
  EXPECT_EQ(record.pointer, "/layers/0/init/weight");
}

TEST(WeightsLoad, RuleLoadsParametersAndBuffersItMatches) {
  const TempDir dir;
  const std::vector<float> weight = ramp(3, 1.0f), bias = ramp(3, -2.0f),
                           mean = ramp(3, 0.5f), var = ramp(3, 3.0f);
  const std::vector<SafetensorsTensor> tensors = {
      f32("bn.weight", {3}, weight),
      f32("bn.bias", {3}, bias),
      f32("bn.running_mean", {3}, mean),
      f32("bn.running_var", {3}, var)};
  write_safetensors(dir / "w.safetensors", tensors, {});
  const auto model = initialized(testing::with_layers(
      kInput,
      kLayers,
      with_file(
          R"(, "init_rules": [{"pattern": "bn.*", "from": FROM}])",
          dir / "w.safetensors")));
  EXPECT_EQ(values(*model, "bn.weight"), weight);
  EXPECT_EQ(values(*model, "bn.bias"), bias);
  EXPECT_EQ(values(*model, "bn.running_mean"), mean);
  EXPECT_EQ(values(*model, "bn.running_var"), var);
  // Everything else is drawn exactly as without the rule.
  const auto plain = initialized(testing::with_layers(kInput, kLayers));
  EXPECT_EQ(values(*model, "conv.weight"), values(*plain, "conv.weight"));
  EXPECT_EQ(values(*model, "fc.weight"), values(*plain, "fc.weight"));
}

TEST(WeightsLoad, MissingTensorIsAnErrorUnlessTheRuleSaysInit) {
  const TempDir dir;
  const std::vector<float> w = ramp(5 * 12, 0.0f);
  const SafetensorsTensor t = f32("fc.weight", {5, 12}, w);
  write_safetensors(dir / "w.safetensors", {&t, 1}, {});
  const std::string rule =
      R"(, "init_rules": [{"pattern": "fc.*", "from": FROM MISSING}])";
  const auto config = [&](const std::string& missing) {
    std::string r = rule;
    r.replace(r.find("MISSING"), 7, missing);
    return testing::with_layers(
        kInput, kLayers, with_file(r, dir / "w.safetensors"));
  };
  EXPECT_THAT(
      config_error([&] { Model::build(config(""), builtin_registry(), 2); }),
      ::testing::AllOf(
          ::testing::StartsWith("/init_rules/0/from|"),
          HasSubstr("has no tensor \"fc.bias\" for fc.bias; it has 1 tensors: "
                    "fc.weight"),
          HasSubstr("\"missing\": \"init\" initializes what the file lacks")));
  const auto model = initialized(config(R"(, "missing": "init")"));
  EXPECT_EQ(values(*model, "fc.weight"), w);
  const auto plain = initialized(testing::with_layers(kInput, kLayers));
  EXPECT_EQ(values(*model, "fc.bias"), values(*plain, "fc.bias"));
  EXPECT_EQ(
      init_record(model->plan().params.back()).source, "default for Linear");
}

TEST(WeightsLoad, ShapeAndDtypeMismatchesNameBothSides) {
  const TempDir dir;
  const std::vector<float> w = ramp(12 * 5, 0.0f);
  const std::vector<std::int64_t> n = {1, 2, 3, 4, 5};
  const std::vector<SafetensorsTensor> tensors = {
      f32("fc.weight", {12, 5}, w), SafetensorsTensor::i64("fc.bias", {5}, n)};
  write_safetensors(dir / "w.safetensors", tensors, {});
  const auto build = [&](const std::string& param) {
    std::string layers = kLayers;
    layers.replace(
        layers.find(R"("out_features": 5)"),
        17,
        R"("out_features": 5, "init": {")" + param + R"(": {"from": FROM}})");
    return config_error([&] {
      Model::build(
          testing::with_layers(
              kInput, with_file(layers, dir / "w.safetensors")),
          builtin_registry(),
          2);
    });
  };
  EXPECT_THAT(
      build("weight"),
      HasSubstr(
          "/layers/3/init/weight/from|t.json: /layers/3/init/weight/from: " +
          (dir / "w.safetensors").string() +
          ": tensor \"fc.weight\" is F32 [12, 5]; expected [5, 12] "
          "(fc.weight)"));
  EXPECT_THAT(
      build("bias"),
      HasSubstr("tensor \"fc.bias\" is I64 [5]; expected a float tensor (F32, "
                "F16, BF16 or F64)"));
}

TEST(WeightsLoad, AnEarlierSchemeBeatsALaterLoad) {
  const TempDir dir;
  const std::vector<float> w = ramp(5 * 12, 0.0f);
  const SafetensorsTensor t = f32("fc.weight", {5, 12}, w);
  write_safetensors(dir / "w.safetensors", {&t, 1}, {});
  const auto model = initialized(testing::with_layers(
      kInput,
      kLayers,
      with_file(
          R"(, "init_rules": [{"pattern": "fc.weight", "scheme": "zeros"},
                              {"pattern": "fc.*", "from": FROM, "missing": "init"}])",
          dir / "w.safetensors")));
  EXPECT_EQ(values(*model, "fc.weight"), std::vector<float>(5 * 12, 0.0f));
}

TEST(WeightsLoad, RelativeFileIsFoundFromTheConfigsDirectory) {
  const TempDir dir;
  const std::vector<float> w = ramp(5, 2.0f);
  const SafetensorsTensor t = f32("fc.bias", {5}, w);
  write_safetensors(dir / "w.safetensors", {&t, 1}, {});
  const ModelConfig config = parse_config(
      R"({"name": "t", "input": )" + kInput + R"(, "layers": [)" + kLayers +
          R"(], "init_rules": [{"pattern": "fc.bias", "from": "w.safetensors"}]})",
      "t.json",
      dir.path());
  EXPECT_EQ(values(*initialized(config), "fc.bias"), w);
}

// The whole-model load, in torch mode: loaded parameters still draw, so a
// new head gets what it gets without the load.
TEST(WeightsLoad, WholeModelLoadKeepsTheHeadsTorchDraws) {
  const TempDir dir;
  const ModelConfig source_config = testing::with_layers(kInput, kLayers);
  auto source = Model::build(source_config, builtin_registry(), 2);
  source->initialize(RandomSource::create(RngKind::Torch, 99));
  save_weights(dir / "all.safetensors", *source);

  // The same backbone with a wider head named differently.
  std::string layers = kLayers;
  layers.replace(layers.find(R"("name": "fc")"), 12, R"("name": "head")");
  ModelConfig config = testing::with_layers(kInput, layers);
  const auto plain = initialized(config, RngKind::Torch);
  config.load_weights =
      WholeModelLoad{.file = dir / "all.safetensors", .flag = "--init-from"};
  const auto model = initialized(config, RngKind::Torch);
  for (const char* path :
       {"conv.weight",
        "bn.weight",
        "bn.bias",
        "bn.running_mean",
        "bn.running_var"}) {
    EXPECT_EQ(values(*model, path), values(*source, path)) << path;
  }
  EXPECT_EQ(values(*model, "head.weight"), values(*plain, "head.weight"));
  EXPECT_EQ(values(*model, "head.bias"), values(*plain, "head.bias"));
  EXPECT_NE(values(*model, "conv.weight"), values(*plain, "conv.weight"));
  EXPECT_EQ(
      init_record(model->plan().params[0]).source,
      "loaded from " + (dir / "all.safetensors").string() +
          " (tensor conv.weight) by --init-from");

  // Strict: the head is missing from the file, and fc.* is in it unused.
  config.load_weights->strict = true;
  try {
    Model::build(config, builtin_registry(), 2);
    ADD_FAILURE() << "strict load accepted a missing tensor";
  } catch (const UsageError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr(
            "--init-from " + (dir / "all.safetensors").string() +
            " (--strict-load): no tensor \"head.weight\""));
  }
  // Strict and complete: bn.num_batches_tracked is expected, not extra.
  ModelConfig same = source_config;
  same.load_weights = WholeModelLoad{
      .file = dir / "all.safetensors",
      .flag = "--load-weights",
      .strict = true};
  const auto copy = initialized(same, RngKind::Philox);
  EXPECT_EQ(values(*copy, "fc.weight"), values(*source, "fc.weight"));
  // ...but a tensor of no parameter is refused.
  const std::vector<float> extra = {1.0f};
  const SafetensorsFile all = read_safetensors(dir / "all.safetensors");
  std::vector<SafetensorsTensor> more;
  for (const SafetensorsEntry& e : all.tensors) {
    more.push_back({e.name, e.dtype, e.shape, e.bytes});
  }
  more.push_back(f32("old_head.weight", {1}, extra));
  write_safetensors(dir / "more.safetensors", more, {});
  same.load_weights->file = dir / "more.safetensors";
  try {
    Model::build(same, builtin_registry(), 2);
    ADD_FAILURE() << "strict load accepted an extra tensor";
  } catch (const UsageError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr("tensor \"old_head.weight\" is no parameter or buffer of "
                  "the model"));
  }
}

TEST(WeightsLoad, UnreadableFileIsAConfigErrorAtFrom) {
  const TempDir dir;
  const std::string error = config_error([&] {
    Model::build(
        testing::with_layers(
            kInput,
            kLayers,
            with_file(
                R"(, "init_rules": [{"pattern": "fc.*", "from": FROM}])",
                dir / "absent.safetensors")),
        builtin_registry(),
        2);
  });
  EXPECT_THAT(error, ::testing::StartsWith("/init_rules/0/from|"));
  EXPECT_THAT(error, HasSubstr("absent.safetensors: cannot open"));
}

}  // namespace
}  // namespace initforge
