// SPDX-License-Identifier: Apache-2.0
#pragma once

// tests/data/optim_golden: torch.optim 1.13 on one parameter of 1003
// elements, every SGD combination and Adam variant (written by
// tools/golden/make_optim_golden.py).

#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/testing/torch_golden.h"

namespace initforge::testing {

inline TorchGolden& optim_golden_data() {
  static TorchGolden g("optim_golden");
  return g;
}

/// A copy of the values `ref` ({"data", "offset", "count"}) points to.
inline std::vector<float> optim_golden_values(const nlohmann::json& ref) {
  const std::span<const float> v = optim_golden_data().values(ref);
  return {v.begin(), v.end()};
}

/// The cases: {"name", "type", "options", "params" (one ref per step),
/// "state" (buffer name -> ref after the last step)}.
inline const nlohmann::json& optim_golden_cases() {
  return optim_golden_data().manifest().at("cases");
}

}  // namespace initforge::testing
