// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/layer.h"

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

void Layer::set_params(
    DnnlContext& /*ctx*/,
    std::span<const ConstTensorView> /*params*/,
    std::span<const ConstTensorView> /*buffers*/) {}

}  // namespace initforge
