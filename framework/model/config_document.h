// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: the steps load_config and load_experiment
// share (nlohmann/json stays private to the library).

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/model/config.h"
#include "framework/model/config_loader.h"

namespace initforge {

/// The whole text of a config file; IoError when it cannot be read.
std::string read_config_file(const std::filesystem::path& file);

/// Validates a parsed config (schema: configs/README.md) and converts it.
/// A top-level "variants" key is skipped: the result is the base config,
/// and ModelConfig::json is `doc` without it. `file` labels messages.
ModelConfig config_from_json(
    const nlohmann::json& doc,
    const std::string& file,
    const std::filesystem::path& base_dir);

/// A config file with its variants.
struct Experiment {
  ModelConfig base;  // the file without "variants"
  /// One per "variants" entry; without "variants", just the base (named
  /// after the config).
  std::vector<Variant> variants;
};

/// Validates the base (config_from_json), then the "variants" array (names
/// valid and unique, entries objects), then every merged variant, labelled
/// "FILE (variant NAME)". A file is valid only if all of them are.
Experiment experiment_from_json(
    const nlohmann::json& doc,
    const std::string& file,
    const std::filesystem::path& base_dir);

}  // namespace initforge
