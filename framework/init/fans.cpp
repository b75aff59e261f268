// SPDX-License-Identifier: Apache-2.0
#include "framework/init/fans.h"

#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/init/text.h"

namespace initforge {

Fans compute_fans(const Shape& shape) {
  if (shape.rank() < 2) {
    throw InvalidArgument(with_got(
        "Fan in and fan out can not be computed for tensor with fewer than "
        "2 dimensions",
        "shape " + shape.to_string()));
  }
  std::int64_t receptive_field = 1;
  for (std::size_t i = 2; i < shape.rank(); ++i) receptive_field *= shape[i];
  return {shape[1] * receptive_field, shape[0] * receptive_field};
}

FanMode parse_fan_mode(std::string_view mode) {
  const std::string lower = to_lower(mode);
  if (lower == "fan_in") return FanMode::FanIn;
  if (lower == "fan_out") return FanMode::FanOut;
  throw InvalidArgument(
      "Mode " + lower +
      " not supported, please use one of ['fan_in', 'fan_out']");
}

std::int64_t select_fan(const Fans& fans, FanMode mode) {
  return mode == FanMode::FanIn ? fans.fan_in : fans.fan_out;
}

}  // namespace initforge
