// SPDX-License-Identifier: Apache-2.0
// LayerNorm: each sample's last dims (normalized_shape) normalized with
// their own mean and biased variance, then weight * x + bias elementwise
// over normalized_shape; the same in training and inference.

#include <cstring>
#include <string>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/row_normalization.h"

namespace initforge::layers_detail {
namespace {

class LayerNorm final : public Layer {
 public:
  LayerNorm(
      const Shape& input, const Shape& normalized, double eps, bool affine)
      : shape_(input), normalized_(normalized), eps_(eps), affine_(affine) {}

  std::string_view type() const override {
    return "LayerNorm";
  }
  const Shape& output_shape() const override {
    return shape_;
  }

  // The builder's default for a Weight is ones and for a Bias zeros here
  // (the declared defaults), PyTorch's reset_parameters(); no fans.
  std::vector<ParamDecl> params() const override {
    if (!affine_) return {};
    return {
        {"weight", ParamRole::Weight, normalized_, std::nullopt},
        {"bias", ParamRole::Bias, normalized_, std::nullopt}};
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&shape_, 1});
    const std::int64_t cols = normalized_.numel();
    return norm_.prepare(
        ctx,
        src[0],
        batch * (shape_.numel() / cols),
        cols,
        static_cast<float>(eps_),
        affine_,
        phase);
  }

  void set_params(
      DnnlContext& ctx,
      std::span<const ConstTensorView> params,
      std::span<const ConstTensorView> /*buffers*/) override {
    const Shape shapes[] = {normalized_, normalized_};
    expect_views(
        type(), "parameters", params, std::span(shapes, affine_ ? 2 : 0));
    if (!norm_.prepared()) {
      throw UsageError("LayerNorm: set_params() called before prepare()");
    }
    if (!affine_) return;
    ctx.stream.wait();  // a pending forward/backward may read them
    copy_in(params[0], norm_.scale());
    copy_in(params[1], norm_.shift());
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    norm_.forward(ctx, src[0], dst);
  }

  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& /*dst*/,
      const memory& diff_dst,
      std::span<const memory> diff_src) override {
    expect_backward_call(
        type(), norm_.training(), src.size(), diff_src.size(), 1);
    norm_.backward(ctx, src[0], diff_dst, diff_src[0]);
  }

  void param_grads(DnnlContext& ctx, std::span<const TensorView> out) override {
    expect_training(type(), "param_grads()", norm_.training());
    if (!affine_) {
      Layer::param_grads(ctx, out);  // checks that none are asked for
      return;
    }
    if (out.size() != 2) {
      throw UsageError(
          "LayerNorm: param_grads() expected 2 outputs, got " +
          std::to_string(out.size()));
    }
    for (const TensorView& o : out) {
      if (!(o.shape() == normalized_)) {
        throw ShapeError(
            "LayerNorm: param_grads() expected outputs of shape " +
            normalized_.to_string() + ", got " + o.shape().to_string());
      }
    }
    ctx.stream.wait();
    copy_out(norm_.diff_scale(), out[0]);
    copy_out(norm_.diff_shift(), out[1]);
  }

 private:
  static void copy_in(ConstTensorView from, const memory& to) {
    std::memcpy(
        to.get_data_handle(), from.data().data(), from.data().size_bytes());
  }
  static void copy_out(const memory& from, TensorView to) {
    std::memcpy(
        to.data().data(), from.get_data_handle(), to.data().size_bytes());
  }

  Shape shape_;
  Shape normalized_;
  double eps_;
  bool affine_;
  RowNormalization norm_;
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
        "LayerNorm: expected normalized_shape " + to_string(ArgValue(dims)) +
        " to be the last dimensions of the per-sample input, got input " +
        in.to_string());
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
    .args =
        {ArgSpec::required_int_list(
             "normalized_shape",
             "the input's last dimensions, normalized together")
             .at_least(1),
         ArgSpec::number("eps", 1e-5, "added to the variance").greater_than(0),
         ArgSpec::boolean("elementwise_affine", true, "learn weight and bias")},
    .params =
        {{"weight", "ones", {}, "elementwise_affine", "[*normalized_shape]"},
         {"bias", "zeros", {}, "elementwise_affine", "[*normalized_shape]"}},
    .make = make_layer_norm}};

}  // namespace
}  // namespace initforge::layers_detail
