// SPDX-License-Identifier: Apache-2.0
// Whole models in torch mode against PyTorch 1.13: runs the real
// `initforge run configs/X.json --rng torch` on the golden input and
// compares the saved weights bit for bit and the forward output to 1e-5
// with tests/data/model_golden (tools/golden/make_model_golden.py).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "framework/io/npy.h"
#include "framework/io/safetensors.h"

#include "tests/golden/sha256.h"
#include "tests/testing/torch_golden.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using testing::bit_mismatch;
using testing::sha256_hex;

const fs::path kGoldenDir = fs::path(INITFORGE_TEST_DATA_DIR) / "model_golden";

// The example configs the golden data must cover (issue 3; mlp.json and
// cnn.json use PyTorch's defaults since issue 4, mlp_custom_init.json keeps
// their explicit inits).
const std::vector<std::string> kExampleConfigs = {
    "configs/mlp.json",
    "configs/mlp_custom_init.json",
    "configs/cnn.json",
    "configs/resnet_block.json",
    "configs/deep_relu_30.json",
    "configs/selu_mlp.json"};

std::vector<std::string> golden_cases() {
  std::vector<std::string> cases;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kGoldenDir, ec)) {
    if (fs::exists(entry.path() / "manifest.json")) {
      cases.push_back(entry.path().filename().string());
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

nlohmann::json read_manifest(const std::string& name) {
  std::ifstream in(kGoldenDir / name / "manifest.json");
  if (!in) throw std::runtime_error("cannot read manifest of " + name);
  return nlohmann::json::parse(in);
}

// A scratch directory removed with the fixture.
class ScratchDir {
 public:
  ScratchDir()
      : path_(
            fs::temp_directory_path() /
            ("initforge_model_golden_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const {
    return path_;
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::span<const float> as_floats(const std::vector<std::byte>& bytes) {
  return {
      reinterpret_cast<const float*>(bytes.data()),
      bytes.size() / sizeof(float)};
}

// Compares one saved tensor with its golden entry: shape, sha256 of the
// float32 bytes, and the stored values (all, or the first and last few).
void expect_tensor(
    const SafetensorsFile& file,
    const nlohmann::json& golden,
    std::span<const float> stored) {
  const auto name = golden.at("name").get<std::string>();
  SCOPED_TRACE(
      name + " (" + golden.value("scheme", "buffer") + ", " +
      golden.value("chosen_by", "") + ")");
  const SafetensorsEntry* entry = nullptr;
  for (const SafetensorsEntry& e : file.tensors) {
    if (e.name == name) entry = &e;
  }
  ASSERT_NE(entry, nullptr) << "not in the saved weights";
  ASSERT_EQ(entry->dtype, "F32");
  ASSERT_EQ(entry->shape, golden.at("shape").get<std::vector<std::int64_t>>());
  const std::span<const float> got = as_floats(entry->bytes);
  const auto offset = golden.at("offset").get<std::size_t>();
  const auto count = golden.at("count").get<std::size_t>();
  if (golden.at("values") == "full") {
    EXPECT_EQ(bit_mismatch(got, stored.subspan(offset, count)), "");
  } else {
    ASSERT_GE(got.size(), count);
    EXPECT_EQ(bit_mismatch(got.first(count), stored.subspan(offset, count)), "")
        << "first " << count << " values";
    EXPECT_EQ(
        bit_mismatch(got.last(count), stored.subspan(offset + count, count)),
        "")
        << "last " << count << " values";
  }
  EXPECT_EQ(sha256_hex(entry->bytes), golden.at("sha256").get<std::string>());
}

// |got - expected| <= 1e-5 * max(1, |expected|): relative, absolute near 0.
std::string output_mismatch(
    std::span<const float> got, std::span<const float> expected) {
  if (got.size() != expected.size()) {
    return "size " + std::to_string(got.size()) + ", expected " +
           std::to_string(expected.size());
  }
  std::size_t bad = 0, worst = 0;
  double worst_excess = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double e = expected[i];
    const double tol = 1e-5 * std::max(1.0, std::abs(e));
    const double excess = std::abs(static_cast<double>(got[i]) - e) / tol;
    if (!(excess <= 1.0)) {
      if (bad++ == 0 || excess > worst_excess) worst = i;
      worst_excess = std::max(worst_excess, excess);
    }
  }
  if (bad == 0) return "";
  char text[200];
  std::snprintf(
      text,
      sizeof text,
      "%zu of %zu outside 1e-5; worst at index %zu: got %.9g, expected %.9g",
      bad,
      got.size(),
      worst,
      static_cast<double>(got[worst]),
      static_cast<double>(expected[worst]));
  return text;
}

class ModelGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelGolden, TorchModeRunMatchesPyTorch) {
  const nlohmann::json manifest = read_manifest(GetParam());
  const fs::path dir = kGoldenDir / GetParam();
  const ScratchDir scratch;
  const fs::path weights = scratch.path() / "w.safetensors";
  const fs::path output = scratch.path() / "out.npy";
  const fs::path config =
      fs::path(INITFORGE_SOURCE_DIR) / manifest.at("config").get<std::string>();
  const CliResult run = run_cli(
      {"run",
       config.string(),
       "--rng",
       "torch",
       "--seed",
       std::to_string(manifest.at("seed").get<std::uint64_t>()),
       "--threads",
       std::to_string(manifest.at("threads").get<int>()),
       "--input",
       (dir / manifest.at("input").get<std::string>()).string(),
       "--output",
       output.string(),
       "--save-weights",
       weights.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const SafetensorsFile file = read_safetensors(weights);
  const Tensor stored =
      read_npy(dir / manifest.at("values").get<std::string>());
  std::size_t parameters = 0;
  for (const nlohmann::json& golden : manifest.at("tensors")) {
    expect_tensor(file, golden, stored.span());
    parameters += golden.at("kind") == "parameter" ? 1 : 0;
  }
  EXPECT_GT(parameters, 0u);

  const Tensor got = read_npy(output);
  const Tensor expected =
      read_npy(dir / manifest.at("output").get<std::string>());
  EXPECT_EQ(got.shape(), expected.shape());
  EXPECT_EQ(output_mismatch(got.span(), expected.span()), "");
}

INSTANTIATE_TEST_SUITE_P(
    Configs,
    ModelGolden,
    ::testing::ValuesIn(golden_cases()),
    [](const ::testing::TestParamInfo<std::string>& param) {
      return param.param;
    });

TEST(ModelGoldenData, CoversEveryExampleConfig) {
  std::vector<std::string> covered;
  for (const std::string& name : golden_cases()) {
    covered.push_back(read_manifest(name).at("config").get<std::string>());
  }
  for (const std::string& config : kExampleConfigs) {
    EXPECT_NE(std::find(covered.begin(), covered.end(), config), covered.end())
        << config
        << " has no golden data: rerun "
           "tools/golden/make_model_golden.py";
  }
}

TEST(Sha256, MatchesKnownDigests) {
  const auto hex = [](const std::vector<unsigned char>& bytes) {
    return sha256_hex(std::as_bytes(std::span(bytes)));
  };
  EXPECT_EQ(
      hex({}),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(
      hex({'a', 'b', 'c'}),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::vector<unsigned char> block(56);  // padding spills into a 2nd block
  for (std::size_t i = 0; i < block.size(); ++i) {
    block[i] = static_cast<unsigned char>(i);
  }
  EXPECT_EQ(
      hex(block),
      "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562");
  std::vector<unsigned char> big(1000003);  // hashlib, same bytes
  for (std::size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<unsigned char>((i * 7 + 3) % 256);
  }
  EXPECT_EQ(
      hex(big),
      "987ab1b5b3b71c1d1053a817cffc3695c96e78c2b068d558c6b340a8255c3ed8");
}

}  // namespace
}  // namespace initforge
