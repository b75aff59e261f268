// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: the "layers" array of a config.

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "framework/model/block_expander.h"
#include "framework/model/config.h"

namespace initforge {

/// Reads every layer of the expanded model: unique valid names, known types
/// (with a "did you mean"), hyper-parameters, `inputs` naming "input" or
/// earlier layers (a later one is reported as such: configs list layers in
/// order, so there are no cycles), per-parameter `init` objects and role tags.
/// An init "from" file is resolved against `base_dir`.
std::vector<LayerConfig> parse_layers(
    std::span<const LayerSource> layers,
    const std::string& file,
    const std::filesystem::path& base_dir);

}  // namespace initforge
