// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/core/generator.h"
#include "framework/core/shape.h"
#include "framework/core/tensor_view.h"
#include "framework/init/args.h"
#include "framework/init/fans.h"
#include "framework/init/target.h"

namespace initforge {

struct CalibrationContext;

/// What a scheme knows about the parameter it initializes.
struct INITFORGE_API ParamInfo {
  std::string path;  // "fc1.weight"
  Shape shape;       // logical shape of the whole parameter
  // Fans the owning layer supplies: a weight's own, and for a bias those of
  // its weight. nullopt when there is none (rank < 2 and no owner).
  std::optional<Fans> fans;

  /// The fans, or InvalidArgument with PyTorch's "fewer than 2 dimensions".
  Fans require_fans() const;
};

/// Everything one fill call may use.
struct FillContext {
  const ParamInfo& param;
  Generator& gen;
  // Index of dst's first element within the parameter (0 for a full fill;
  // shard fills of elementwise schemes start elsewhere).
  std::int64_t offset = 0;
};

/// One configured scheme (its arguments bound). Immutable after creation;
/// the only mutable input of fill() is the generator in the context.
class INITFORGE_API Initializer {
 public:
  virtual ~Initializer();

  /// Throws InvalidArgument when the scheme cannot initialize a parameter like
  /// this one (PyTorch's ValueErrors: rank, divisibility, ...). Called before
  /// any allocation; fill() may assume it passed.
  virtual void check(const ParamInfo& param) const;

  /// Writes the values of elements [ctx.offset, ctx.offset + dst.numel()) of
  /// the parameter, in its logical row-major layout (Linear [out, in], Conv2d
  /// [out, in/groups, kh, kw]). For a full fill dst.shape() == param.shape;
  /// a shard is a 1-D view.
  virtual void fill(TensorView dst, const FillContext& ctx) const = 0;

  /// The distribution of the values, when the scheme has a simple one.
  virtual Target target(const ParamInfo& param) const;

  /// Data-dependent schemes only (SchemeInfo::data_dependent): called after
  /// every parameter of the model has been filled, once per parameter this
  /// scheme was given to, in initialization order; may rewrite the
  /// parameter (and its layer's others) looking at the model's outputs on a
  /// calibration batch. The default does nothing. Exceptions are reported
  /// like fill()'s.
  virtual void calibrate(const CalibrationContext& ctx) const;
};

/// Creates a configured initializer from validated arguments; may throw
/// ArgumentError for cross-argument constraints (e.g. a > b).
using SchemeFactory =
    std::function<std::unique_ptr<Initializer>(const Args& args)>;

/// A scheme as a plugin declares it.
struct SchemeInfo {
  std::string name;  // PyTorch's name without the underscore: "kaiming_normal"
  std::string doc;   // one line: formula and reference
  std::vector<ArgSpec> args;
  // Each element depends only on its index: any shard can be filled alone.
  bool elementwise = true;
  SchemeFactory create;
  // fill() is only the pre-initialization; calibrate() finishes the job and
  // needs a model (see calibration.h). Not usable by `initforge sample`.
  bool data_dependent = false;
};

}  // namespace initforge
