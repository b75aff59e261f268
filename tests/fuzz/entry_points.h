// SPDX-License-Identifier: Apache-2.0
#pragma once

// What each fuzz target feeds its bytes to: the same calls initforge makes
// on outside files and text. Shared by the libFuzzer targets and the
// regression test (fuzz_regression_test.cpp), so a saved finding replays
// exactly. Each may throw only initforge's bad-input errors (guard.h).

#include <filesystem>
#include <string_view>

#include "framework/plugin/registry.h"

namespace initforge::fuzz {

/// A private scratch directory and the built-in plugins, made once.
struct Context {
  std::filesystem::path scratch;
  Registry registry;
};

/// The process-wide Context (built on first use, scratch removed at exit).
Context& context();

/// Writes `bytes` as `name` in the scratch directory (readers take paths).
std::filesystem::path write_input(
    Context& ctx, const char* name, std::string_view bytes);

/// load_config and load_experiment on `bytes` as a config file, then
/// check_init_specs for the base and every variant (validate's checks,
/// without loading the config's own plugin paths).
void config_entry(std::string_view bytes, Context& ctx);

/// A weights file: read_safetensors, every F32 tensor as a Tensor, then
/// verify_checksums (read_verified_safetensors in two steps, so the checks
/// behind a failed checksum are fuzzed too).
void weights_entry(std::string_view bytes, Context& ctx);

/// A checkpoint: read_safetensors, parse_train_state of its
/// "initforge.train_state" metadata, the optimizer tensors as Tensors, then
/// verify_checksums.
void checkpoint_entry(std::string_view bytes, Context& ctx);

/// read_npy.
void npy_entry(std::string_view bytes, Context& ctx);

/// read_idx_images (then make_dataset with zero labels) and read_idx_labels
/// on the same file, gzip or raw.
void idx_entry(std::string_view bytes, Context& ctx);

/// `initforge sample SCHEME --arg K=V ...`: the first line names the
/// scheme, each further line is one K=V; values through parse_arg_value,
/// then bind_args, Registry::create and Initializer::check on an [8, 4]
/// weight.
void arg_entry(std::string_view bytes, Context& ctx);

}  // namespace initforge::fuzz
