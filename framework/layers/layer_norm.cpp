// SPDX-License-Identifier: Apache-2.0
// LayerNorm: each sample's last dims (normalized_shape) normalized with
// their own mean and biased variance, then weight * x + bias elementwise
// over normalized_shape; the same in training and inference.

#include <string>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/row_normalization.h"

namespace initforge::layers_detail {
namespace {

class LayerNorm final : public RowNormLayer {
 public:
  LayerNorm(
      const Shape& input, const Shape& normalized, double eps, bool affine)
      : RowNormLayer("LayerNorm", input, normalized, eps, affine),
        cols_(normalized.numel()) {}

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&shape(), 1});
    return norm_.prepare(
        ctx,
        src[0],
        batch * (shape().numel() / cols_),
        cols_,
        eps(),
        affine(),
        phase);
  }

  // forward() and backward(): RowNormLayer's, the rows alone.

 private:
  // oneDNN's own scale and shift are the weight and bias.
  std::array<memory, 2> affine_memories() const override {
    return {norm_.scale(), norm_.shift()};
  }
  std::array<memory, 2> affine_grads() const override {
    return {norm_.diff_scale(), norm_.diff_shift()};
  }

  std::int64_t cols_;
};

std::unique_ptr<Layer> make_layer_norm(
    const Args& a, std::span<const Shape> inputs) {
  expect_input_count("LayerNorm", inputs, 1);
  const Shape& in = inputs[0];
  const IntList& dims = a.int_list("normalized_shape");
  // PyTorch's normalized_shape may reach into the batch dimension; here it
  // is per sample, so a batch of any size fits the same layer.
  const std::size_t k = dims.size();
  bool matches = k <= in.rank();
  for (std::size_t i = 0; matches && i < k; ++i) {
    matches = dims[i] == in[in.rank() - k + i];
  }
  if (!matches) {
    throw ShapeError(
        "LayerNorm: " +
        expected_got(
            "normalized_shape " + to_string(ArgValue(dims)) +
                " to be the last dimensions of the per-sample input",
            "input " + in.to_string()));
  }
  return std::make_unique<LayerNorm>(
      in,
      Shape(std::span<const std::int64_t>(dims)),
      a.number("eps"),
      a.boolean("elementwise_affine"));
}

// nn.LayerNorm.reset_parameters: weight ones, bias zeros.
const LayerRegistration kLayerNorm{LayerType{
    .name = "LayerNorm",
    .doc = "normalization over each sample's last dimensions "
           "(normalized_shape), then an elementwise affine",
    .args = row_norm_args(
        ArgSpec::required_int_list(
            "normalized_shape",
            "the input's last dimensions, normalized together")
            .at_least(1),
        "elementwise_affine"),
    .params = row_norm_params("elementwise_affine", "[*normalized_shape]"),
    .make = make_layer_norm}};

}  // namespace
}  // namespace initforge::layers_detail
