// SPDX-License-Identifier: Apache-2.0
#include "framework/init/gain.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

// Exact doubles PyTorch 1.13's calculate_gain returns (torch_init_spec §1.1).
TEST(CalculateGain, MatchesPyTorchTableExactly) {
  for (const char* name :
       {"linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid"}) {
    EXPECT_EQ(calculate_gain(name), 1.0) << name;
  }
  EXPECT_EQ(calculate_gain("tanh"), 1.6666666666666667);
  EXPECT_EQ(calculate_gain("relu"), 1.4142135623730951);
  EXPECT_EQ(calculate_gain("selu"), 0.75);
}

TEST(CalculateGain, LeakyReluUsesSlopeOrDefault) {
  EXPECT_EQ(calculate_gain("leaky_relu"), 1.4141428569978354);
  EXPECT_EQ(calculate_gain("leaky_relu", 0.0), 1.4142135623730951);
  EXPECT_EQ(calculate_gain("leaky_relu", 0.2), 1.3867504905630728);
  EXPECT_EQ(calculate_gain("leaky_relu", 10.0), 0.14071950894605836);
  EXPECT_EQ(calculate_gain("leaky_relu", std::sqrt(5.0)), 0.5773502691896257);
}

TEST(CalculateGain, ParamIsIgnoredForOtherNonlinearities) {
  EXPECT_EQ(calculate_gain("relu", 0.3), 1.4142135623730951);
}

TEST(CalculateGain, UnknownNonlinearityIsRejected) {
  for (const char* name : {"ab", "swish", "ReLU", "leakyrelu"}) {
    try {
      calculate_gain(name);
      FAIL() << "expected InvalidArgument for " << name;
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(
          std::string(e.what()),
          std::string("Unsupported nonlinearity ") + name);
    }
  }
}

TEST(CalculateGain, NonFiniteSlopeIsNotAValidNumber) {
  try {
    calculate_gain("leaky_relu", std::numeric_limits<double>::quiet_NaN());
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "negative_slope nan not a valid number");
  }
  EXPECT_THROW(
      calculate_gain("leaky_relu", std::numeric_limits<double>::infinity()),
      InvalidArgument);
}

TEST(NonlinearityNames, ListsEveryAcceptedName) {
  for (const std::string& name : nonlinearity_names()) {
    EXPECT_NO_THROW(calculate_gain(name)) << name;
  }
  EXPECT_EQ(nonlinearity_names().size(), 12u);
}

}  // namespace
}  // namespace initforge
