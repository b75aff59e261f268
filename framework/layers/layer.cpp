// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/layer.h"

#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge {

Layer::~Layer() = default;

std::vector<ParamDecl> Layer::params() const {
  return {};
}

std::vector<BufferDecl> Layer::buffers() const {
  return {};
}

bool Layer::output_aliases_input() const {
  return false;
}

void Layer::begin_step(const StepContext& /*step*/) {}

void Layer::set_params(
    DnnlContext& /*ctx*/,
    std::span<const ConstTensorView> /*params*/,
    std::span<const ConstTensorView> /*buffers*/) {}

void Layer::read_buffers(
    DnnlContext& /*ctx*/, std::span<const TensorView> out) {
  if (!out.empty()) {
    throw UsageError(
        std::string(type()) + ": read_buffers() " +
        expected_got("0 outputs", std::to_string(out.size())));
  }
}

void Layer::param_grads(DnnlContext& /*ctx*/, std::span<const TensorView> out) {
  if (!out.empty()) {
    throw UsageError(
        std::string(type()) + ": param_grads() " +
        expected_got("0 outputs", std::to_string(out.size())));
  }
}

}  // namespace initforge
