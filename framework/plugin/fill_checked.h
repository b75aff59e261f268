// SPDX-License-Identifier: Apache-2.0
#pragma once

// Failure isolation for plugin code: every caller fills a parameter through
// fill_checked, so a throwing or NaN-writing scheme is reported the same way
// (a PluginError naming the parameter, the scheme and its library).

#include <span>
#include <string>

#include "framework/core/export.h"
#include "framework/core/tensor_view.h"
#include "framework/init/calibration.h"
#include "framework/init/initializer.h"

namespace initforge {

/// Who filled a parameter, and what to verify afterwards.
struct FillChecks {
  std::string scheme;
  std::string library_path;  // "" for a scheme added in-process
  bool check_finite = false;
};

/// Calls init.fill(dst, ctx); any exception it throws becomes a PluginError
/// "plugin <library>: <param path>: scheme "<scheme>" failed while filling:
/// <what>" (library "(in-process)" when there is none). With
/// checks.check_finite, a NaN or Inf afterwards is a PluginError too.
INITFORGE_API void fill_checked(
    const Initializer& init,
    TensorView dst,
    const FillContext& ctx,
    const FillChecks& checks);

/// Calls init.calibrate(ctx) (a data-dependent scheme's second step); an
/// exception becomes a PluginError "plugin <library>: <param path>: scheme
/// "<scheme>" failed while calibrating: <what>". With checks.check_finite,
/// every parameter of the layer (calibrate may rewrite them all) is checked
/// as check_finite does, under its own path.
INITFORGE_API void calibrate_checked(
    const Initializer& init,
    const CalibrationContext& ctx,
    const FillChecks& checks);

/// Throws PluginError "plugin <library>: <param path>: scheme "<scheme>"
/// wrote N non-finite value(s) (NaN or Inf) of M; the first at index I: V"
/// when `values` (elements [ctx.offset, ...) of the parameter) hold a NaN or
/// an Inf. One vectorizable pass; parallel when large.
INITFORGE_API void check_finite(
    std::span<const float> values,
    const FillContext& ctx,
    const FillChecks& checks);

}  // namespace initforge
