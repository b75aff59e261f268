// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>

#include "framework/core/export.h"
#include "framework/core/shape.h"

namespace initforge {

/// fan_in and fan_out of a weight, as torch.nn.init computes them.
struct Fans {
  std::int64_t fan_in = 0;
  std::int64_t fan_out = 0;
  bool operator==(const Fans&) const = default;
};

/// PyTorch's _calculate_fan_in_and_fan_out: receptive field = prod(dims[2:]),
/// fan_in = dims[1] * rf, fan_out = dims[0] * rf. Throws InvalidArgument for
/// fewer than 2 dimensions.
INITFORGE_API Fans compute_fans(const Shape& shape);

enum class FanMode { FanIn, FanOut };

/// Case-insensitive "fan_in" / "fan_out"; otherwise InvalidArgument with
/// PyTorch's message ("Mode fan_avg not supported, please use one of ...").
INITFORGE_API FanMode parse_fan_mode(std::string_view mode);

/// The fan a mode selects.
INITFORGE_API std::int64_t select_fan(const Fans& fans, FanMode mode);

}  // namespace initforge
