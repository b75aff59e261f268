// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace initforge::testing {

/// tests/data/optim_golden.json (written by tools/golden/make_optim_golden.py).
inline const nlohmann::json& optim_golden() {
  static const nlohmann::json j = [] {
    std::ifstream in(
        std::string(INITFORGE_TEST_DATA_DIR) + "/optim_golden.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

/// A JSON number array rounded to float, as torch.tensor(..., float32) does.
inline std::vector<float> floats(const nlohmann::json& a) {
  std::vector<float> out;
  for (const auto& v : a) out.push_back(static_cast<float>(v.get<double>()));
  return out;
}

}  // namespace initforge::testing
