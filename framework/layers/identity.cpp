// SPDX-License-Identifier: Apache-2.0
// Identity (torch.nn.Identity): dst is src and diff_src is diff_dst, in the
// producer's layout. A caller may alias them (output_aliases_input());
// otherwise forward and backward copy with a reorder.

#include <string>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"

namespace initforge::layers_detail {
namespace {

class Identity final : public Layer {
 public:
  explicit Identity(const Shape& shape) : shape_(shape) {}

  std::string_view type() const override {
    return "Identity";
  }
  const Shape& output_shape() const override {
    return shape_;
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&shape_, 1});
    // One layout throughout: the same copy serves forward and backward.
    copy_ = dnnl::reorder(dnnl::reorder::primitive_desc(
        ctx.engine, src[0], ctx.engine, src[0], default_attr()));
    training_ = phase == Phase::Training;
    return src[0];
  }

  bool output_aliases_input() const override {
    return true;
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    copy(ctx, src[0], dst);
  }

  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& /*dst*/,
      const memory& diff_dst,
      std::span<const memory> diff_src) override {
    expect_backward_call(type(), training_, src.size(), diff_src.size(), 1);
    if (diff_src[0]) {
      copy(ctx, diff_dst, diff_src[0]);
    }
  }

 private:
  // Nothing to move when the caller made both one buffer.
  void copy(DnnlContext& ctx, const memory& from, const memory& to) {
    if (from.get_data_handle() == to.get_data_handle()) {
      return;
    }
    memory in = from;  // handle copies: execute() takes non-const refs
    memory out = to;
    copy_.execute(ctx.stream, in, out);
  }

  Shape shape_;
  dnnl::reorder copy_;
  bool training_ = false;
};

const LayerRegistration kIdentity{LayerType{
    .name = "Identity",
    .doc = "returns its input unchanged (a placeholder, e.g. an empty "
           "shortcut)",
    .make = [](const Args&, std::span<const Shape> inputs) {
      expect_input_count("Identity", inputs, 1);
      return std::unique_ptr<Layer>(std::make_unique<Identity>(inputs[0]));
    }}};

}  // namespace
}  // namespace initforge::layers_detail
