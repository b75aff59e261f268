// SPDX-License-Identifier: Apache-2.0
// Identity, ScalarMultiplier and ScalarBias: forward, backward against
// finite differences in plain and blocked layouts, their one parameter and
// PyTorch's default initialization of it.

#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/core/thread_count.h"

#include "tests/layers/gradcheck.h"

namespace initforge::layer_test {
namespace {

using Tag = memory::format_tag;

const Tag kLayouts[] = {Tag::undef, Tag::nhwc, Tag::nChw16c, Tag::nChw8c};

GradCase one_input(
    const std::string& type, std::vector<float> x, RefForward ref, Tag tag) {
  GradCase c;
  c.options = layer_spec(type);
  c.input_shapes = {Shape{17, 3, 2}};  // blocked layouts pad channel 17..
  c.inputs = {std::move(x)};
  c.reference = std::move(ref);
  c.src_tags = {tag};
  return c;
}

TEST(IdentityBackward, PassesDiffDstThroughInEveryLayout) {
  for (Tag tag : kLayouts) {
    SCOPED_TRACE(testing::Message() << "layout tag " << static_cast<int>(tag));
    gradcheck(one_input(
        "Identity",
        random_values(2 * 17 * 3 * 2, 3),
        [](const auto& in, const auto&) { return in[0]; },
        tag));
  }
}

TEST(Identity, CopiesBitsAndLeavesAliasedBuffersAlone) {
  DnnlContext& ctx = context();
  const Shape sample{5, 2, 3};
  const auto layer = make_layer(layer_spec("Identity"), {{sample}});
  const memory::desc md(
      batched(2, sample), memory::data_type::f32, Tag::nChw8c);
  EXPECT_EQ(layer->prepare(ctx, 2, {&md, 1}, Phase::Training), md);
  EXPECT_TRUE(layer->output_aliases_input());
  EXPECT_TRUE(layer->params().empty());
  std::vector<float> x = random_values(60, 8);
  x[0] = -0.0f;
  x[1] = std::nanf("");
  const memory src = memory_in_layout(md, x);
  const memory dst(md, ctx.engine);
  layer->forward(ctx, {&src, 1}, dst);
  ctx.stream.wait();
  EXPECT_EQ(
      std::memcmp(src.get_data_handle(), dst.get_data_handle(), md.get_size()),
      0);
  // dst on src's buffer, diff_src on diff_dst's: nothing changes.
  const memory aliased(md, ctx.engine, src.get_data_handle());
  layer->forward(ctx, {&src, 1}, aliased);
  const memory diff_dst = memory_in_layout(md, random_values(60, 9));
  const memory diff_src(md, ctx.engine, diff_dst.get_data_handle());
  const std::vector<float> before = to_plain(diff_dst);
  layer->backward(ctx, {&src, 1}, dst, diff_dst, {&diff_src, 1});
  ctx.stream.wait();
  EXPECT_EQ(
      std::memcmp(src.get_data_handle(), dst.get_data_handle(), md.get_size()),
      0);
  EXPECT_EQ(to_plain(diff_src), before);
}

// y = x * w and y = x + b, the scalar params[0][0].
RefForward scaled() {
  return [](const auto& in, const auto& params) {
    std::vector<double> y(in[0].size());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = in[0][i] * params[0][0];
    return y;
  };
}
RefForward shifted() {
  return [](const auto& in, const auto& params) {
    std::vector<double> y(in[0].size());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = in[0][i] + params[0][0];
    return y;
  };
}

// The scalar's gradient sums 204 products: f32 rounding of the inputs
// only, the host sum is in double.
TEST(ScalarMultiplierBackward, MatchesFiniteDifferencesInEveryLayout) {
  for (Tag tag : kLayouts) {
    SCOPED_TRACE(testing::Message() << "layout tag " << static_cast<int>(tag));
    gradcheck(one_input(
        "ScalarMultiplier", random_values(2 * 17 * 3 * 2, 4), scaled(), tag));
  }
}

TEST(ScalarBiasBackward, MatchesFiniteDifferencesInEveryLayout) {
  for (Tag tag : kLayouts) {
    SCOPED_TRACE(testing::Message() << "layout tag " << static_cast<int>(tag));
    gradcheck(one_input(
        "ScalarBias", random_values(2 * 17 * 3 * 2, 5), shifted(), tag));
  }
}

TEST(ScalarLayers, OnAFlatInputAndWithoutADiffSrc) {
  // Linear-style [N, F] inputs; the model input gets no diff_src but the
  // parameter still gets its gradient.
  for (const char* type : {"ScalarMultiplier", "ScalarBias"}) {
    SCOPED_TRACE(type);
    GradCase c;
    c.options = layer_spec(type);
    c.input_shapes = {Shape{7}};
    c.batch = 3;
    c.inputs = {random_values(21, 6)};
    c.reference = std::string(type) == "ScalarBias" ? shifted() : scaled();
    c.needs_grad = {false};
    const GradResult r = gradcheck(c);
    EXPECT_TRUE(r.diff_src[0].empty());
  }
}

TEST(ScalarLayers, DeclareOneScalarWithPyTorchsDefault) {
  const auto multiplier =
      make_layer(layer_spec("ScalarMultiplier"), {{Shape{2, 3}}});
  const auto bias = make_layer(layer_spec("ScalarBias"), {{Shape{4}}});
  ASSERT_EQ(multiplier->params().size(), 1u);
  ASSERT_EQ(bias->params().size(), 1u);
  const ParamDecl w = multiplier->params()[0];
  const ParamDecl b = bias->params()[0];
  EXPECT_EQ(w.name, "weight");
  EXPECT_EQ(w.role, ParamRole::Weight);
  EXPECT_EQ(w.shape, Shape{1});
  EXPECT_FALSE(w.fans.has_value());
  EXPECT_EQ(b.name, "bias");
  EXPECT_EQ(b.role, ParamRole::Bias);
  EXPECT_EQ(b.shape, Shape{1});
  EXPECT_EQ(multiplier->output_shape(), (Shape{2, 3}));
  EXPECT_EQ(
      find_layer_type("ScalarMultiplier")->params[0].default_scheme, "ones");
  EXPECT_EQ(find_layer_type("ScalarBias")->params[0].default_scheme, "zeros");
}

TEST(ScalarBias, ForwardKeepsABlockedLayoutsPaddingZero) {
  DnnlContext& ctx = context();
  const Shape sample{17, 2, 3};
  const auto layer = make_layer(layer_spec("ScalarBias"), {{sample}});
  const memory::desc md(
      batched(2, sample), memory::data_type::f32, Tag::nChw16c);
  layer->prepare(ctx, 2, {&md, 1}, Phase::Inference);
  const std::vector<float> b{0.75f};
  const ConstTensorView view(b, Shape{1});
  layer->set_params(ctx, {&view, 1}, {});
  const std::vector<float> x = random_values(2 * sample.numel(), 7);
  const memory src = memory_in_layout(md, x);
  const memory dst(md, ctx.engine);
  poison(dst, 0x7fc00000u);
  layer->forward(ctx, {&src, 1}, dst);
  ctx.stream.wait();
  const std::vector<float> y = to_plain(dst);
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(y[i], x[i] + 0.75f) << i;
  }
  const memory clean = memory_in_layout(md, y);
  EXPECT_EQ(
      std::memcmp(
          dst.get_data_handle(), clean.get_data_handle(), md.get_size()),
      0)
      << "padding";
}

TEST(ScalarMultiplier, GradientIsExactAndIndependentOfTheThreadCount) {
  // 2^20 products: the sum is in double, in fixed blocks.
  DnnlContext& ctx = context();
  const Shape sample{1 << 18};
  const auto layer = make_layer(layer_spec("ScalarMultiplier"), {{sample}});
  const memory::desc md = plain(batched(4, sample));
  layer->prepare(ctx, 4, {&md, 1}, Phase::Training);
  const std::vector<float> w{1.5f};
  const ConstTensorView view(w, Shape{1});
  layer->set_params(ctx, {&view, 1}, {});
  const std::vector<float> x = random_values(1 << 20, 10);
  const std::vector<float> g = random_values(1 << 20, 11);
  const memory src = plain_memory(md.dims(), x);
  const memory diff_dst = plain_memory(md.dims(), g);
  const memory dst(md, ctx.engine);
  const memory diff_src(md, ctx.engine);
  long double exact = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    exact += static_cast<long double>(x[i]) * g[i];
  }
  std::vector<float> grads;
  for (int threads : {1, 2, 3}) {
    const ThreadCount scope(threads);
    layer->forward(ctx, {&src, 1}, dst);
    layer->backward(ctx, {&src, 1}, dst, diff_dst, {&diff_src, 1});
    float grad = 0;
    const TensorView out({&grad, 1}, Shape{1});
    layer->param_grads(ctx, {&out, 1});
    grads.push_back(grad);
  }
  EXPECT_EQ(grads[0], static_cast<float>(exact));
  EXPECT_EQ(grads[1], grads[0]);
  EXPECT_EQ(grads[2], grads[0]);
}

TEST(ScalarLayers, BadCallsNameWhatWasExpected) {
  DnnlContext& ctx = context();
  const Shape sample{3};
  const auto layer = make_layer(layer_spec("ScalarMultiplier"), {{sample}});
  const memory::desc md = plain(batched(2, sample));
  layer->prepare(ctx, 2, {&md, 1}, Phase::Inference);
  const std::vector<float> two{1.0f, 2.0f};
  const ConstTensorView wrong(two, Shape{2});
  try {
    layer->set_params(ctx, {&wrong, 1}, {});
    ADD_FAILURE() << "no exception";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(
        e.what(),
        "ScalarMultiplier: set_params parameters 0 expected shape [1]; got "
        "[2]");
  }
  float grad = 0;
  const TensorView out({&grad, 1}, Shape{1});
  EXPECT_THROW(layer->param_grads(ctx, {&out, 1}), UsageError);
  layer->prepare(ctx, 2, {&md, 1}, Phase::Training);
  EXPECT_THROW(layer->param_grads(ctx, {}), ShapeError);
  // Rows 4 floats apart: a host loop cannot index it.
  const memory::desc gaps({2, 3}, memory::data_type::f32, {4, 1});
  EXPECT_THROW(
      layer->prepare(ctx, 2, {&gaps, 1}, Phase::Inference), UsageError);
}

}  // namespace
}  // namespace initforge::layer_test
