// SPDX-License-Identifier: Apache-2.0
#pragma once

// What `initforge train` does to the loaded configs before training: checks
// that every variant can train (a train section, a usable directory name,
// the dataset files). The command-line overrides are
// framework/model/train_overrides.h.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "framework/core/pinned_threads.h"
#include "framework/model/config_loader.h"
#include "framework/plugin/registry.h"

namespace initforge::cli {

/// ConfigError unless every variant has a train section and builds (graph,
/// shapes, init plan, memory for its batch): a bad variant fails before
/// the ones ahead of it have trained for nothing.
void check_variants(
    const std::vector<Variant>& variants, const Registry& registry);

/// IoError naming the file, the config pointer and (Fashion-MNIST) the
/// Debian package when a variant's dataset files are missing: fails before
/// anything trains.
void check_datasets(const std::vector<Variant>& variants);

/// "training NAME -> DIR (E epochs, batch B, T threads, placement)", with
/// the variant's name and number when an experiment has several.
std::string run_header(
    const Variant& variant,
    std::size_t index,
    std::size_t count,
    const std::filesystem::path& run_dir,
    const PinnedThreads& threads);

}  // namespace initforge::cli
