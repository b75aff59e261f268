// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "framework/plugin/plugin.h"

namespace initforge::plugins {

/// eye: identity matrix, 2-D only (torch.nn.init.eye_).
SchemeInfo eye_scheme();

/// dirac: identity convolution kernel, 3-5-D, with groups (dirac_).
SchemeInfo dirac_scheme();

}  // namespace initforge::plugins
