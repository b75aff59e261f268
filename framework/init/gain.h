// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "framework/core/export.h"

namespace initforge {

/// torch.nn.init.calculate_gain: linear/conv*/sigmoid 1, tanh 5/3, relu √2,
/// leaky_relu √(2/(1+slope²)) with slope = param or 0.01, selu 3/4. Throws
/// InvalidArgument "Unsupported nonlinearity X" for anything else, and
/// "negative_slope X not a valid number" for a non-finite leaky_relu slope.
INITFORGE_API double calculate_gain(
    std::string_view nonlinearity, std::optional<double> param = std::nullopt);

/// The names calculate_gain accepts, in PyTorch's order.
INITFORGE_API std::span<const std::string> nonlinearity_names();

}  // namespace initforge
