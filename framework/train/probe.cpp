// SPDX-License-Identifier: Apache-2.0
#include "framework/train/probe.h"

#include <algorithm>
#include <vector>

#include "framework/core/value_stats.h"

namespace initforge {

ProbeStats run_probe(
    Model& model,
    ConstTensorView images,
    std::span<const std::int32_t> labels,
    LossHead& head,
    std::int64_t epoch) {
  model.prepare(images.shape()[0], Phase::Training);
  // BatchNorm's training forward moves the running statistics: keep them.
  model.sync_buffers();
  std::vector<Tensor> saved;
  for (const Tensor& b : model.buffers()) saved.push_back(b.clone());

  model.forward(images);
  ProbeStats stats;
  stats.epoch = epoch;
  stats.loss = head.evaluate(model.output().view(), labels).loss;
  model.backward(head.grad());

  const auto nodes = model.graph().nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const ValueStats out = compute_stats(model.node_output(i).span());
    const ValueStats grad = compute_stats(model.node_grad(i).span());
    stats.layers.push_back(
        {.layer = nodes[i].name,
         .type = nodes[i].type,
         .activation_std = out.std,
         .activation_mean = out.mean,
         .grad_std = grad.std});
  }
  const auto& planned = model.plan().params;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    stats.params.push_back(
        {.path = planned[i].info.path,
         .value_std = compute_stats(model.params()[i].span()).std,
         .grad_std = compute_stats(model.grads()[i].span()).std});
  }

  const auto buffers = model.mutable_buffers();
  for (std::size_t i = 0; i < saved.size(); ++i) {
    std::copy(
        saved[i].span().begin(),
        saved[i].span().end(),
        buffers[i].span().begin());
  }
  model.load_buffers();
  return stats;
}

}  // namespace initforge
