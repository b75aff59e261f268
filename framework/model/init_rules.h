// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "framework/core/export.h"
#include "framework/model/config.h"

namespace initforge {

/// Shell-style glob: `*` matches any run of characters (dots included), `?`
/// one character; everything else matches itself. "*.bias", "Linear.*".
/// fnmatch(3) underneath; a pattern or text with a NUL byte (which C strings
/// cannot hold) matches only itself.
INITFORGE_API bool glob_match(std::string_view pattern, std::string_view text);

/// The names an init rule's pattern is matched against for `param` of
/// `layer`: its path "layer1.0.conv1.weight", "<Type>.<param>"
/// ("Conv2d.weight") and "@<role>.<param>" for each of the layer's roles.
INITFORGE_API std::vector<std::string> rule_names(
    const LayerConfig& layer, std::string_view param);

/// True when `pattern` matches one of rule_names(layer, param).
INITFORGE_API bool rule_matches(
    std::string_view pattern, const LayerConfig& layer, std::string_view param);

}  // namespace initforge
