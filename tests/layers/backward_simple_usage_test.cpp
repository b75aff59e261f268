// SPDX-License-Identifier: Apache-2.0
// Backward-call contract of the activations, pooling, Flatten, Add and
// Softmax (Phase::Inference and wrong counts throw, empty diff_src skips, an
// aliased Flatten gradient is left alone) and PyTorch's choices at the
// non-smooth points the finite-difference checks must avoid.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/layers/gradcheck.h"

namespace initforge::layer_test {
namespace {

struct Built {
  std::unique_ptr<Layer> layer;
  std::vector<memory> src, diff_src;
  memory dst;
};

// A layer with `inputs` inputs of shape {4, 3, 2}, prepared for `phase`.
Built prepared(const LayerOptions& options, std::size_t inputs, Phase phase) {
  DnnlContext& ctx = context();
  const std::vector<Shape> shapes(inputs, Shape{4, 3, 2});
  Built b;
  b.layer = make_layer(options, shapes);
  std::vector<memory::desc> mds(inputs, plain(batched(2, shapes[0])));
  for (const auto& md : mds) {
    b.src.emplace_back(md, ctx.engine);
    b.diff_src.emplace_back(md, ctx.engine);
  }
  b.dst = memory(b.layer->prepare(ctx, 2, mds, phase), ctx.engine);
  return b;
}

const std::vector<std::pair<LayerOptions, std::size_t>>& every_simple_layer() {
  static const std::vector<std::pair<LayerOptions, std::size_t>> all = {
      {ReLUOptions{}, 1},
      {LeakyReLUOptions{}, 1},
      {TanhOptions{}, 1},
      {SigmoidOptions{}, 1},
      {GELUOptions{}, 1},
      {MaxPool2dOptions{{2, 2}}, 1},
      {AvgPool2dOptions{{2, 2}}, 1},
      {FlattenOptions{}, 1},
      {AddOptions{}, 2},
      {SoftmaxOptions{}, 1}};
  return all;
}

TEST(SimpleBackward, ThrowsUsageErrorWhenPreparedForInference) {
  for (const auto& [options, inputs] : every_simple_layer()) {
    SCOPED_TRACE(options.type_name());
    Built b = prepared(options, inputs, Phase::Inference);
    try {
      b.layer->backward(context(), b.src, b.dst, b.dst, b.diff_src);
      ADD_FAILURE() << "no exception";
    } catch (const UsageError& e) {
      EXPECT_NE(
          std::string(e.what()).find(
              options.type_name() +
              ": backward() expected a layer prepared with "
              "Phase::Training"),
          std::string::npos)
          << e.what();
    }
    // Re-preparing for training makes the same layer usable.
    const memory::desc md = b.src[0].get_desc();
    const std::vector<memory::desc> mds(inputs, md);
    b.layer->prepare(context(), 2, mds, Phase::Training);
    b.layer->forward(context(), b.src, b.dst);
    EXPECT_NO_THROW(
        b.layer->backward(context(), b.src, b.dst, b.dst, b.diff_src));
    context().stream.wait();
  }
}

TEST(SimpleBackward, ThrowsUsageErrorOnWrongDiffSrcCount) {
  for (const auto& [options, inputs] : every_simple_layer()) {
    SCOPED_TRACE(options.type_name());
    Built b = prepared(options, inputs, Phase::Training);
    b.diff_src.pop_back();
    try {
      b.layer->backward(context(), b.src, b.dst, b.dst, b.diff_src);
      ADD_FAILURE() << "no exception";
    } catch (const UsageError& e) {
      EXPECT_NE(
          std::string(e.what()).find(
              "backward() expected " + std::to_string(inputs) +
              " sources and diff sources; got " + std::to_string(inputs) +
              " and " + std::to_string(inputs - 1)),
          std::string::npos)
          << e.what();
    }
  }
}

TEST(SimpleBackward, EmptyDiffSrcComputesNothing) {
  for (const auto& [options, inputs] : every_simple_layer()) {
    SCOPED_TRACE(options.type_name());
    Built b = prepared(options, inputs, Phase::Training);
    const std::vector<memory> none(inputs);
    b.layer->forward(context(), b.src, b.dst);
    EXPECT_NO_THROW(b.layer->backward(context(), b.src, b.dst, b.dst, none));
    context().stream.wait();
  }
}

TEST(FlattenBackward, LeavesADiffSrcAliasedToDiffDstAlone) {
  DnnlContext& ctx = context();
  const Shape sample{4, 3, 2};
  const auto layer = make_layer(FlattenOptions{}, {{sample}});
  const memory::desc src_md = plain(batched(2, sample));
  const memory::desc dst_md =
      layer->prepare(ctx, 2, {&src_md, 1}, Phase::Training);
  const std::vector<float> g = random_values(2 * sample.numel(), 4);
  const memory diff_dst = plain_memory(dst_md.dims(), g);
  const memory src(src_md, ctx.engine);
  const memory diff_src(src_md, ctx.engine, diff_dst.get_data_handle());
  layer->backward(
      ctx, {&src, 1}, memory(dst_md, ctx.engine), diff_dst, {&diff_src, 1});
  ctx.stream.wait();
  EXPECT_EQ(to_plain(diff_src), g);
}

// diff_src (row-major) of one forward + backward of a one-input layer on
// `x` in layout `tag`, with diff_dst all ones.
std::vector<float> ones_backward(
    const LayerOptions& options,
    const Shape& sample,
    const std::vector<float>& x,
    memory::format_tag tag) {
  DnnlContext& ctx = context();
  const auto layer = make_layer(options, {{sample}});
  const memory::desc md(batched(1, sample), memory::data_type::f32, tag);
  const memory src = memory_in_layout(md, x);
  const memory diff_src(md, ctx.engine);
  const memory::desc dst_md = layer->prepare(ctx, 1, {&md, 1}, Phase::Training);
  const memory dst(dst_md, ctx.engine);
  const std::vector<float> ones(dst_md.get_size() / sizeof(float), 1.0f);
  layer->forward(ctx, {&src, 1}, dst);
  layer->backward(
      ctx, {&src, 1}, dst, memory_in_layout(dst_md, ones), {&diff_src, 1});
  ctx.stream.wait();
  return to_plain(diff_src);
}

TEST(SimpleBackward, MaxPoolTiesGoToTheFirstWindowElementAsPyTorch) {
  // torch: x = ones(1, 1, 3, 3); max_pool2d(x, 2, 1).sum().backward()
  // gives x.grad [[1, 1, 0], [1, 1, 0], [0, 0, 0]] (first maximum wins).
  const std::vector<float> expected{1, 1, 0, 1, 1, 0, 0, 0, 0};
  for (auto tag : {memory::format_tag::nchw, memory::format_tag::nhwc}) {
    EXPECT_EQ(
        ones_backward(
            MaxPool2dOptions{{2, 2}, {1, 1}},
            Shape{1, 3, 3},
            std::vector<float>(9, 1.0f),
            tag),
        expected);
  }
}

TEST(SimpleBackward, ReluFamilyAtZeroUsesTheNegativeSlopeAsPyTorch) {
  // torch's threshold/leaky_relu backward: x > 0 ? g : slope * g.
  const Shape sample{2, 2, 2};
  const std::vector<float> zeros(8, 0.0f);
  EXPECT_EQ(
      ones_backward(ReLUOptions{}, sample, zeros, memory::format_tag::nchw),
      std::vector<float>(8, 0.0f));
  EXPECT_EQ(
      ones_backward(
          LeakyReLUOptions{0.25}, sample, zeros, memory::format_tag::nhwc),
      std::vector<float>(8, 0.25f));
}

}  // namespace
}  // namespace initforge::layer_test
