// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal: the backward pass of the dense layers (Linear, the
// convolutions). The backward-data and backward-weights primitives plus
// every reorder between the forward's layouts and theirs are planned once in
// prepare(); run() only executes.

#include <optional>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

#include "framework/layers/dense_params.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/layer.h"

namespace initforge::layers_detail {

class DenseBackward {
 public:
  /// `given_src`: the layout prepare() got for the source (diff_src is
  /// written in it); `forward`: the forward pd the backward pds were
  /// created from. Also plans `params`' gradients.
  void prepare(
      DnnlContext& ctx,
      const memory::desc& given_src,
      const dnnl::primitive_desc_base& forward,
      const dnnl::primitive_desc& bwd_data,
      const dnnl::primitive_desc& bwd_weights,
      DenseParams& params);
  /// Phase::Inference: frees everything (and `params`' gradients).
  void reset(DenseParams& params);
  bool prepared() const {
    return prepared_;
  }

  /// Enqueues backward-weights (reading `forward_src`, the memory the
  /// forward read, in the forward pd's source layout) and, unless
  /// `diff_src` is empty, backward-data.
  void run(
      DnnlContext& ctx,
      const memory& forward_src,
      const memory& diff_dst,
      const memory& diff_src);

 private:
  bool prepared_ = false;
  dnnl::primitive data_;
  dnnl::primitive weights_;
  std::unordered_map<int, memory> data_args_;
  std::unordered_map<int, memory> weights_args_;
  InputAdapter weights_src_;       // forward src -> backward-weights src
  InputAdapter weights_diff_dst_;  // dst layout -> backward-weights'
  InputAdapter data_diff_dst_;     // dst layout -> backward-data's
  bool share_diff_dst_ = false;    // both want the same diff_dst layout
  // Backward-data writes here when it picked another layout than the
  // source's; allocated on the first backward() that wants diff_src.
  memory::desc data_diff_src_;
  std::optional<dnnl::reorder> diff_src_reorder_;
  memory diff_src_buffer_;
};

}  // namespace initforge::layers_detail
