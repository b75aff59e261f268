// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/init/args.h"
#include "framework/init/initializer.h"
#include "framework/init/target.h"
#include "framework/layers/layer.h"
#include "framework/model/config.h"
#include "framework/model/graph.h"
#include "framework/model/weights_load.h"
#include "framework/plugin/registry.h"

namespace initforge {

/// Why a parameter got its scheme, by precedence.
enum class InitSource { LayerInit, Rule, Default };

/// The second step of a data-dependent scheme for one parameter: its
/// calibrate() runs after every parameter of the model is filled.
struct PlannedCalibration {
  std::string scheme;
  Args args;                // bound: defaults applied
  std::string source_text;  // "layer init", "rule 0 (...)", "post_init 0 (...)"
  std::string pointer;      // of the spec
  std::string library_path;
  std::shared_ptr<const Initializer> initializer;
};

/// The resolved initialization of one parameter.
struct PlannedParam {
  std::size_t node = 0;   // graph node (== config layer) index
  std::size_t param = 0;  // index in the layer's params()
  ParamInfo info;         // path "<layer>.<param>", logical shape, fans
  std::string scheme;
  Args args;  // bound: defaults applied
  InitSource source = InitSource::Default;
  std::string source_text;  // "layer init", "rule 1 (*.bias)", "default for
                            // Linear"
  std::string pointer;      // of the spec; the layer's for a default
  std::string library_path;
  std::shared_ptr<const Initializer> initializer;
  Target target;
  // Set when the fill's scheme is data-dependent (the same scheme) or a
  // post_init entry matches (that scheme; the first match wins over the
  // fill's own).
  std::optional<PlannedCalibration> calibration;
  // Set when the values are loaded from a file. The scheme above is the one
  // that would decide without the load: in torch mode it still draws, so
  // every other parameter gets the values it gets without the load.
  std::optional<PlannedLoad> load;
};

/// A non-trainable buffer and its path ("bn1.running_var").
struct PlannedBuffer {
  std::size_t node = 0;
  std::string path;
  BufferDecl decl;
  std::optional<PlannedLoad> load;  // else decl.initial_value
};

/// Every parameter in initialization order: config order, and within a
/// layer params() order (weight before bias), which is the order nn.Module
/// construction draws from PyTorch's generator.
struct INITFORGE_API InitPlan {
  std::vector<PlannedParam> params;
  std::vector<PlannedBuffer> buffers;

  std::int64_t parameter_elements() const;
  /// True when some parameter has a calibration step.
  bool calibrates() const;
};

/// Resolves each parameter's scheme (layer init > first matching rule, on
/// the path or on "<Type>.<param>" > PyTorch default, from the layer table),
/// binds its arguments, creates the initializer and checks it against the
/// parameter, all before any allocation; then its calibration step (the first
/// matching post_init entry, else the fill's scheme if data-dependent), checked
/// the same way. Errors are ConfigErrors at the spec's pointer (the layer's for
/// a default): unknown scheme, bad arguments, a scheme that cannot initialize
/// that shape, an `init` naming a parameter the layer does not have, a
/// post_init scheme that is not data-dependent.
/// Loads ("from" specs, config.load_weights) are found here too: each
/// file's header is read once and the tensor checked (present, a float
/// dtype, the parameter's shape); the data is read by Model::initialize.
INITFORGE_API InitPlan plan_init(
    const ModelConfig& config, const Graph& graph, const Registry& registry);

}  // namespace initforge
