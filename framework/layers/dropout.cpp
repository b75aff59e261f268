// SPDX-License-Identifier: Apache-2.0
// Dropout and AlphaDropout, as PyTorch's functional dropout and
// alpha_dropout. In training the mask is drawn in PyTorch's element order
// from the philox stream (seed, "<layer>.mask.step<s>"), s the global step
// (Layer::begin_step): a resumed run redraws the same masks, whatever the
// layout, batch split or thread count. It is kept as one byte per element
// in the producer's layout for backward. The identity in evaluation.

#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "framework/core/error.h"
#include "framework/layers/dnnl_util.h"
#include "framework/layers/dropout_mask.h"

namespace initforge::layers_detail {
namespace {

// SELU's scale * alpha: AlphaDropout's dropped value is -kAlpha before the
// affine correction (ATen's _dropout_impl).
constexpr double kAlpha = 1.7580993408473766;

// The forward's y = x * mask-scale (+ b), rounded to float as ATen rounds
// the double scalars of `noise.div_(1 - p)` and `noise.mul_(a)`, `b =
// (noise - 1) * (alpha a) + alpha a p`.
MaskScale forward_scale(double p, bool alpha) {
  if (p == 0.0 || p == 1.0) return {};  // identity, or x * 0 (all dropped)
  if (!alpha) {
    return {.keep_mul = 1.0f / static_cast<float>(1.0 - p)};
  }
  const double a = 1.0 / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
  const auto alpha_a = static_cast<float>(kAlpha * a);
  const auto alpha_a_p = static_cast<float>(kAlpha * a * p);
  return {
      .keep_mul = static_cast<float>(a),
      .keep_add = alpha_a_p,
      .drop_add = -alpha_a + alpha_a_p,
      .affine = true};
}

class Dropout final : public Layer {
 public:
  Dropout(std::string type, const Shape& shape, double p, bool alpha)
      : type_(std::move(type)),
        shape_(shape),
        p_(p),
        scale_(forward_scale(p, alpha)),
        grad_scale_{.keep_mul = scale_.keep_mul} {}

  std::string_view type() const override {
    return type_;
  }
  const Shape& output_shape() const override {
    return shape_;
  }

  void begin_step(const StepContext& step) override {
    seed_ = step.seed;
    stream_ = std::string(step.path) + ".mask.step" + std::to_string(step.step);
  }

  memory::desc prepare(
      DnnlContext& ctx,
      std::int64_t batch,
      std::span<const memory::desc> src,
      Phase phase) override {
    expect_src_descs(type(), src, batch, {&shape_, 1});
    training_ = phase == Phase::Training;
    layout_ = src[0];
    mask_ = memory();
    plain_mask_ = memory();
    relayout_ = dnnl::reorder();
    if (!training_) return layout_;
    // The mask in the producer's layout; padding bytes stay 0 (kMaskPadding).
    memory::desc mask_desc = layout_;
    mask_desc.data.data_type = dnnl_u8;
    mask_ = memory(mask_desc, ctx.engine);
    std::memset(mask_.get_data_handle(), 0, mask_desc.get_size());
    const memory::dims dims = batched_dims(batch, shape_);
    if (layout_ != plain_desc(dims)) {
      // Drawn row-major, then relayouted: the mask is layout-independent.
      memory::desc plain = plain_desc(dims);
      plain.data.data_type = dnnl_u8;
      plain_mask_ = memory(plain, ctx.engine);
      relayout_ = dnnl::reorder(dnnl::reorder::primitive_desc(
          ctx.engine, plain, ctx.engine, mask_desc, default_attr()));
    }
    return layout_;
  }

  bool output_aliases_input() const override {
    return !training_;
  }

  void forward(DnnlContext& ctx, std::span<const memory> src, const memory& dst)
      override {
    const void* in = src[0].get_data_handle();
    void* out = dst.get_data_handle();
    if (!training_) {
      if (in == out) return;  // the caller aliased dst to src
      ctx.stream.wait();      // the producer's output is complete
      std::memcpy(out, in, layout_.get_size());
      return;
    }
    draw(ctx);
    ctx.stream.wait();
    apply_mask(
        static_cast<const float*>(in),
        static_cast<const std::uint8_t*>(mask_.get_data_handle()),
        static_cast<float*>(out),
        layout_.get_size() / sizeof(float),
        scale_);
  }

  void backward(
      DnnlContext& ctx,
      std::span<const memory> src,
      const memory& /*dst*/,
      const memory& diff_dst,
      std::span<const memory> diff_src) override {
    expect_backward_call(type(), training_, src.size(), diff_src.size(), 1);
    if (!diff_src[0]) return;
    ctx.stream.wait();
    // d(x * m * scale (+ b))/dx = m * scale.
    apply_mask(
        static_cast<const float*>(diff_dst.get_data_handle()),
        static_cast<const std::uint8_t*>(mask_.get_data_handle()),
        static_cast<float*>(diff_src[0].get_data_handle()),
        layout_.get_size() / sizeof(float),
        grad_scale_);
  }

 private:
  // This step's mask into mask_, in the producer's layout.
  void draw(DnnlContext& ctx) {
    memory& target = plain_mask_ ? plain_mask_ : mask_;
    auto* bytes = static_cast<std::uint8_t*>(target.get_data_handle());
    const std::size_t n = target.get_desc().get_size();  // row-major: no pad
    if (p_ == 0.0 || p_ == 1.0) {
      std::memset(bytes, p_ == 0.0 ? kMaskKept : kMaskDropped, n);
    } else {
      draw_mask(seed_, stream_, keep_threshold(1.0 - p_), bytes, n);
    }
    if (plain_mask_) {
      relayout_.execute(ctx.stream, plain_mask_, mask_);
    }
  }

  std::string type_;
  Shape shape_;
  double p_;
  MaskScale scale_;
  MaskScale grad_scale_;
  std::uint64_t seed_ = 0;
  std::string stream_ = ".mask.step0";  // until begin_step()
  bool training_ = false;
  memory::desc layout_;
  memory mask_;        // training: one byte per element of layout_
  memory plain_mask_;  // when layout_ is not row-major: the drawn mask
  dnnl::reorder relayout_;
};

LayerType dropout_type(std::string name, std::string doc, bool alpha) {
  LayerType type{
      .name = name,
      .doc = std::move(doc),
      .args = {ArgSpec::number(
                   "p",
                   0.5,
                   alpha ? "probability of an element to be dropped"
                         : "probability of an element to be zeroed")
                   .at_least(0)
                   .at_most(1)}};
  type.make = [name, alpha](
                  const Args& a,
                  std::span<const Shape> inputs) -> std::unique_ptr<Layer> {
    expect_input_count(name, inputs, 1);
    return std::make_unique<Dropout>(name, inputs[0], a.number("p"), alpha);
  };
  return type;
}

const LayerRegistration kDropout{dropout_type(
    "Dropout",
    "training: zeroes each element with probability p and scales the others "
    "by 1/(1-p), a new mask every step; evaluation: the identity",
    false)};

const LayerRegistration kAlphaDropout{dropout_type(
    "AlphaDropout",
    "training: sets each element to SELU's negative saturation with "
    "probability p, then rescales to keep zero mean and unit variance; "
    "evaluation: the identity",
    true)};

}  // namespace
}  // namespace initforge::layers_detail
