// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to io/: JSON forms shared by the report renderers.

#include <nlohmann/json.hpp>

#include "framework/init/args.h"
#include "framework/init/target.h"

namespace initforge::detail {

/// 0.5, 3, true, "fan_in".
nlohmann::json to_json(const ArgValue& value);
/// {"kind", "mean", "std"[, "low", "high"[, "normal_mean", "normal_std"]]};
/// unknown moments are null.
nlohmann::json to_json(const Target& target);

}  // namespace initforge::detail
