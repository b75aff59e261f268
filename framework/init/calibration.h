// SPDX-License-Identifier: Apache-2.0
#pragma once

// The SDK for data-dependent schemes (LSUV and the like): after every
// parameter of a model has its ordinary fill, such a scheme is called once
// per parameter it was given to, with a view of the model it can run on a
// calibration batch. Plugins still see no layers, oneDNN or JSON: only this
// interface, which the model implements.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/export.h"
#include "framework/core/generator.h"
#include "framework/core/tensor_view.h"
#include "framework/init/initializer.h"

namespace initforge {

/// The model as a data-dependent scheme sees it while it calibrates one
/// parameter. Implemented by the host; valid only during calibrate().
class INITFORGE_API Calibration {
 public:
  virtual ~Calibration();

  /// Name of the layer that owns the parameter ("fc1").
  virtual const std::string& layer() const = 0;
  /// The parameter being calibrated, writable, logical layout. Writes take
  /// effect at the next forward call.
  virtual TensorView param() = 0;
  /// Every parameter of the owning layer by name ("weight", "bias"),
  /// writable, logical layout (includes param()).
  virtual std::vector<std::pair<std::string, TensorView>> layer_params() = 0;
  /// Runs the whole model forward on the calibration batch with the current
  /// parameter values and returns the output of the owning layer, row-major
  /// [batch, ...]. Valid until the next forward call.
  virtual ConstTensorView layer_output() = 0;
  /// The same for any layer of the model, by name; InvalidArgument naming
  /// the known layers for an unknown one.
  virtual ConstTensorView output_of(const std::string& layer) = 0;
  /// Samples in the calibration batch.
  virtual std::int64_t batch() const = 0;
  /// One line for the run's log ("var 1.31 -> 1.002 after 3 iterations").
  virtual void report(std::string line) = 0;
};

/// Everything one calibrate call may use.
struct CalibrationContext {
  const ParamInfo& param;
  Generator& gen;  // the parameter's stream, continued after its fill
  Calibration& model;
};

}  // namespace initforge
