// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "framework/core/export.h"
#include "framework/model/config.h"
#include "framework/plugin/registry.h"

namespace initforge {

/// Checks every layer `init`, init rule and post_init entry against the loaded
/// schemes before anything is allocated: the scheme exists (else ConfigError at
/// ".../scheme" with the closest known name) and its arguments bind and
/// create an initializer (else ConfigError at ".../<arg>" with the schema's
/// "expected X; got Y"). Parameter shapes are not known here; the model
/// builder runs each Initializer::check once shapes are inferred.
INITFORGE_API void check_init_specs(
    const ModelConfig& config, const Registry& registry);

/// check_init_specs for one spec (file and pointer come from the config).
INITFORGE_API void check_init_spec(
    const InitSpec& spec, const std::string& file, const Registry& registry);

/// check_init_spec plus: the scheme must be data-dependent (else
/// ConfigError at ".../scheme" listing the loaded data-dependent schemes).
INITFORGE_API void check_post_init_spec(
    const InitSpec& spec, const std::string& file, const Registry& registry);

}  // namespace initforge
