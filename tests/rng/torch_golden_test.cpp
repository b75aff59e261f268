// SPDX-License-Identifier: Apache-2.0
// The torch generator against PyTorch 1.13's own outputs, bit for bit, on
// every kernel table this CPU runs.
#include "tests/testing/torch_golden.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/generator.h"
#include "framework/core/rng/torch_generator.h"
#include "framework/core/rng/torch_kernels.h"

namespace initforge {
namespace {

using testing::bit_mismatch;
using testing::TorchGolden;

// Runs one recorded call on `gen` and returns the floats it produced.
std::vector<float> run_step(Generator& gen, const nlohmann::json& step) {
  const auto op = step.at("op").get<std::string>();
  const auto n = step.at("n").get<std::size_t>();
  const nlohmann::json& args = step.at("args");
  std::vector<float> out(n);
  if (op == "uniform") {
    gen.uniform(out, args.at("from"), args.at("to"));
  } else if (op == "normal") {
    gen.normal(out, args.at("mean"), args.at("std"));
  } else if (op == "trunc_normal") {
    gen.truncated_normal(
        out, args.at("mean"), args.at("std"), args.at("a"), args.at("b"));
  } else if (op == "randperm") {
    std::vector<std::int64_t> perm(n);
    gen.permutation(perm);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(perm[i]);
  } else {
    ADD_FAILURE() << "unknown op " << op;
  }
  return out;
}

// Every generator case on generators made by `make`; returns cases checked.
template <class Make>
int check_all_cases(Make&& make, const std::string& label) {
  TorchGolden golden;
  int checked = 0;
  for (const nlohmann::json& c : golden.manifest().at("generator_cases")) {
    const std::shared_ptr<Generator> gen =
        make(c.at("seed").get<std::uint64_t>());
    int index = 0;
    for (const nlohmann::json& step : c.at("steps")) {
      const std::vector<float> got = run_step(*gen, step);
      const std::string diff = bit_mismatch(got, golden.values(step));
      EXPECT_EQ(diff, "") << label << ": " << c.at("name").get<std::string>()
                          << ", step " << index << " ("
                          << step.at("op").get<std::string>() << ")";
      ++index;
    }
    ++checked;
  }
  return checked;
}

TEST(TorchGolden, ManifestCoversTheRequiredCases) {
  TorchGolden golden;
  const auto& cases = golden.manifest().at("generator_cases");
  EXPECT_GE(cases.size(), 100U);
  EXPECT_EQ(
      golden.manifest().at("torch_version").get<std::string>().substr(0, 4),
      "1.13");
}

TEST(TorchGolden, SourceStreamMatchesPyTorchBitForBit) {
  const int n = check_all_cases(
      [](std::uint64_t seed) {
        return make_torch_source(seed)->generator_for("w");
      },
      "best kernels");
  EXPECT_GT(n, 0);
}

TEST(TorchGolden, PortableKernelsMatchPyTorchBitForBit) {
  check_all_cases(
      [](std::uint64_t seed) {
        return make_torch_generator(seed, torch_rng::scalar_kernels());
      },
      "scalar kernels");
}

TEST(TorchGolden, Avx2KernelsMatchPyTorchBitForBit) {
  const torch_rng::Kernels* avx2 = torch_rng::avx2_kernels();
  if (avx2 == nullptr) GTEST_SKIP() << "CPU without AVX2/FMA";
  check_all_cases(
      [avx2](std::uint64_t seed) { return make_torch_generator(seed, *avx2); },
      "avx2 kernels");
}

TEST(TorchGolden, Avx512KernelsMatchPyTorchBitForBit) {
  const torch_rng::Kernels* avx512 = torch_rng::avx512_kernels();
  if (avx512 == nullptr) GTEST_SKIP() << "CPU without AVX-512F/DQ";
  check_all_cases(
      [avx512](std::uint64_t seed) {
        return make_torch_generator(seed, *avx512);
      },
      "avx512 kernels");
}

}  // namespace
}  // namespace initforge
