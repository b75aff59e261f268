// SPDX-License-Identifier: Apache-2.0
// MaxPool2d and AvgPool2d on oneDNN's pooling, PyTorch's floor output sizes.

#include "framework/layers/pool2d.h"

#include <string>
#include <utility>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/same_layout_layer.h"

namespace initforge::layers_detail {
namespace {

class Pool2d final : public SameLayoutLayer {
 public:
  Pool2d(
      std::string_view type,
      dnnl::algorithm algorithm,
      const PoolGeometry& geometry,
      const Shape& input,
      const IntPair& out)
      : type_(type),
        algorithm_(algorithm),
        geometry_(geometry),
        input_shape_(input),
        output_{input[0], out[0], out[1]} {}

  std::string_view type() const override {
    return type_;
  }
  const Shape& output_shape() const override {
    return output_;
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&input_shape_, 1});
    const auto& g = geometry_;
    // Right padding only as far as the last window reaches: PyTorch's floor
    // sizing never uses more, and oneDNN then sees consistent sizes.
    memory::dims pad_r(2);
    for (std::size_t a = 0; a < 2; ++a) {
      const std::int64_t reach = (output_[a + 1] - 1) * g.stride[a] +
                                 g.kernel[a] - input_shape_[a + 1] -
                                 g.padding[a];
      pad_r[a] = reach > 0 ? reach : 0;
    }
    const memory::dims strides{g.stride[0], g.stride[1]};
    const memory::dims kernel{g.kernel[0], g.kernel[1]};
    const memory::dims pad_l{g.padding[0], g.padding[1]};
    const dnnl::primitive_attr attr = default_attr();
    const dnnl::pooling_forward::primitive_desc pd(
        dnnl::pooling_forward::desc(
            forward_prop(phase),
            algorithm_,
            src[0],
            any_desc(batched_dims(batch, output_)),
            strides,
            kernel,
            pad_l,
            pad_r),
        attr,
        ctx.engine);
    if (phase == Phase::Inference) {
      primitives_.prepare(ctx, pd, nullptr);
      return pd.dst_desc();
    }
    // Max pooling's forward_training pd has a workspace (the argmax), which
    // the backward reads instead of searching the window again.
    const dnnl::pooling_backward::primitive_desc bwd(
        dnnl::pooling_backward::desc(
            algorithm_, src[0], pd.dst_desc(), strides, kernel, pad_l, pad_r),
        attr,
        ctx.engine,
        pd);
    primitives_.prepare(ctx, pd, &bwd);
    return pd.dst_desc();
  }

 private:
  std::string type_;
  dnnl::algorithm algorithm_;
  PoolGeometry geometry_;
  Shape input_shape_;
  Shape output_;
};

}  // namespace

std::unique_ptr<Layer> make_pool2d_layer(
    std::string_view type,
    dnnl::algorithm algorithm,
    const PoolGeometry& geometry,
    const Shape& input,
    const IntPair& out) {
  return std::make_unique<Pool2d>(type, algorithm, geometry, input, out);
}

namespace {

std::unique_ptr<Layer> make_pool2d(
    std::string_view type,
    dnnl::algorithm algorithm,
    PoolGeometry g,
    std::span<const Shape> inputs) {
  expect_input_count(type, inputs, 1);
  const Shape& in = inputs[0];
  if (in.rank() != 3) {
    throw ShapeError(
        std::string(type) + ": " +
        expected_got(
            "a 3-D input [channels, height, width] per sample",
            in.to_string()));
  }
  if (g.stride == IntPair{0, 0}) {
    g.stride = g.kernel;  // PyTorch's stride=None
  }
  expect_at_least(type, "stride", g.stride, 1);
  const IntPair out = spatial_output(
      type, {in[1], in[2]}, g.kernel, g.stride, g.padding, {1, 1});
  return make_pool2d_layer(type, algorithm, g, in, out);
}

// Both pools: kernel, stride (0: the kernel, PyTorch's None) and a padding
// of at most half the kernel, as PyTorch checks.
std::vector<ArgSpec> pool_args() {
  return {
      ArgSpec::required_int_pair("kernel_size", "window height, width")
          .at_least(1)
          .at_most(kMaxSpatialOption),
      ArgSpec::int_pair("stride", {0, 0}, "step between windows; 0: kernel")
          .at_least(0)
          .at_most(kMaxSpatialOption),
      ArgSpec::int_pair("padding", {0, 0}, "implicit padding on each side")
          .at_least(0)
          .at_most(kMaxSpatialOption)};
}

void check_pool_padding(const Args& a) {
  const IntPair k = a.int_pair("kernel_size");
  const IntPair p = a.int_pair("padding");
  const IntPair half{k[0] / 2, k[1] / 2};
  if (p[0] > half[0] || p[1] > half[1]) {
    throw ArgumentError(
        "padding",
        expected_got(
            "at most half the kernel size " + to_string(half), to_string(p)));
  }
}

PoolGeometry geometry(const Args& a) {
  return {
      a.int_pair("kernel_size"), a.int_pair("stride"), a.int_pair("padding")};
}

const LayerRegistration kMaxPool2d{LayerType{
    .name = "MaxPool2d",
    .doc = "maximum over 2-D windows",
    .args = pool_args(),
    .check = check_pool_padding,
    .make = [](const Args& a, std::span<const Shape> inputs) {
      return make_pool2d(
          "MaxPool2d", dnnl::algorithm::pooling_max, geometry(a), inputs);
    }}};

const LayerRegistration kAvgPool2d{[] {
  LayerType type{
      .name = "AvgPool2d",
      .doc = "mean over 2-D windows",
      .args = pool_args(),
      .check = check_pool_padding,
      .make = [](const Args& a, std::span<const Shape> inputs) {
        return make_pool2d(
            "AvgPool2d",
            a.boolean("count_include_pad")
                ? dnnl::algorithm::pooling_avg_include_padding
                : dnnl::algorithm::pooling_avg_exclude_padding,
            geometry(a),
            inputs);
      }};
  type.args.push_back(ArgSpec::boolean(
      "count_include_pad", true, "count padded zeros in the mean"));
  return type;
}()};

}  // namespace
}  // namespace initforge::layers_detail
