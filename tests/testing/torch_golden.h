// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reads a golden directory of tests/data (a manifest.json pointing into .npy
// files, as tools/golden/make_{torch,optim}_golden.py write them) and compares
// floats bit for bit. Shared by the rng, golden and train tests.

#include <bit>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "framework/core/tensor.h"
#include "framework/io/npy.h"

namespace initforge::testing {

/// The manifest and the data files it points into.
class TorchGolden {
 public:
  /// `dir`: a directory under tests/data ("torch_golden", "optim_golden"),
  /// or an absolute path holding the same files written elsewhere.
  explicit TorchGolden(std::filesystem::path dir = "torch_golden")
      : dir_(
            dir.is_absolute()
                ? std::move(dir)
                : std::filesystem::path(INITFORGE_TEST_DATA_DIR) / dir) {
    std::ifstream in(dir_ / "manifest.json");
    if (!in) throw std::runtime_error("cannot read " + dir_.string());
    manifest_ = nlohmann::json::parse(in);
  }

  const nlohmann::json& manifest() const {
    return manifest_;
  }

  /// The expected values of one step ({"data", "offset", "count"}).
  std::span<const float> values(const nlohmann::json& step) {
    const auto name = step.at("data").get<std::string>();
    auto it = files_.find(name);
    if (it == files_.end()) {
      it = files_.emplace(name, read_npy(dir_ / name)).first;
    }
    const auto offset = step.at("offset").get<std::size_t>();
    const auto count = step.at("count").get<std::size_t>();
    const std::span<const float> all = it->second.span();
    if (offset + count > all.size()) {
      throw std::runtime_error(name + ": step runs past the end of the data");
    }
    return all.subspan(offset, count);
  }

 private:
  std::filesystem::path dir_;
  nlohmann::json manifest_;
  std::map<std::string, Tensor> files_;
};

/// "" when `got` and `expected` have the same bits, else where they first
/// differ and how many differ.
inline std::string bit_mismatch(
    std::span<const float> got, std::span<const float> expected) {
  if (got.size() != expected.size()) {
    return "size " + std::to_string(got.size()) + ", expected " +
           std::to_string(expected.size());
  }
  std::size_t first = got.size();
  std::size_t count = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::bit_cast<std::uint32_t>(got[i]) !=
        std::bit_cast<std::uint32_t>(expected[i])) {
      if (count++ == 0) first = i;
    }
  }
  if (count == 0) return "";
  char text[160];
  std::snprintf(
      text,
      sizeof text,
      "first mismatch at index %zu: got %.9g (0x%08x), expected %.9g "
      "(0x%08x); %zu of %zu differ",
      first,
      static_cast<double>(got[first]),
      std::bit_cast<std::uint32_t>(got[first]),
      static_cast<double>(expected[first]),
      std::bit_cast<std::uint32_t>(expected[first]),
      count,
      got.size());
  return text;
}

}  // namespace initforge::testing
