// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to io/: JSON forms shared by the report renderers.

#include <string>

#include <nlohmann/json.hpp>

#include "framework/init/args.h"
#include "framework/init/target.h"

namespace initforge::detail {

/// `doc` as text that is valid JSON even when a string holds invalid UTF-8
/// (a name or path from the command line): such bytes become U+FFFD instead
/// of nlohmann's type_error 316. indent -1: one line.
inline std::string dump_text(const nlohmann::json& doc, int indent = -1) {
  return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// 0.5, 3, true, "fan_in".
nlohmann::json to_json(const ArgValue& value);
/// {"kind", "mean", "std"[, "low", "high"[, "normal_mean", "normal_std"]]};
/// unknown moments are null.
nlohmann::json to_json(const Target& target);

}  // namespace initforge::detail
