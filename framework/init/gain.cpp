// SPDX-License-Identifier: Apache-2.0
#include "framework/init/gain.h"

#include <array>
#include <cmath>

#include "framework/core/error.h"
#include "framework/init/text.h"

namespace initforge {

std::span<const std::string> nonlinearity_names() {
  static const std::array<std::string, 12> names = {
      "linear",
      "conv1d",
      "conv2d",
      "conv3d",
      "conv_transpose1d",
      "conv_transpose2d",
      "conv_transpose3d",
      "sigmoid",
      "tanh",
      "relu",
      "leaky_relu",
      "selu"};
  return names;
}

double calculate_gain(
    std::string_view nonlinearity, std::optional<double> param) {
  const auto names = nonlinearity_names();
  for (std::size_t i = 0; i < 8; ++i) {
    if (nonlinearity == names[i]) return 1.0;
  }
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    if (!std::isfinite(slope)) {
      throw InvalidArgument(
          "negative_slope " + format_double(slope) + " not a valid number");
    }
    return std::sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4;
  throw InvalidArgument(
      "Unsupported nonlinearity " + std::string(nonlinearity));
}

}  // namespace initforge
