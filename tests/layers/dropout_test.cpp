// SPDX-License-Identifier: Apache-2.0
// Dropout and AlphaDropout: the mask's contract (the philox stream
// "<layer>.mask.step<s>" of the run's seed, in PyTorch's element order,
// whatever the layout or batch), keep rate and moments, gradients against
// finite differences with the mask fixed, the identity in evaluation, and
// p = 0 and p = 1 as PyTorch.

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/core/generator.h"

#include "tests/layers/gradcheck.h"

namespace initforge::layer_test {
namespace {

using Tag = memory::format_tag;
using ::testing::HasSubstr;

constexpr double kAlpha = 1.7580993408473766;  // -SELU's alpha'

LayerSpec dropout(double p) {
  return layer_spec("Dropout", {{"p", p}});
}
LayerSpec alpha_dropout(double p) {
  return layer_spec("AlphaDropout", {{"p", p}});
}

// The contract: element i (row-major) is kept when word i of the one
// random_u32 draw of the stream (seed, "<path>.mask.step<step>") is below
// round((1 - p) * 2^32).
std::vector<bool> contract_mask(
    const StepContext& at, double p, std::size_t n) {
  const auto gen =
      RandomSource::create(RngKind::Philox, at.seed)
          ->generator_for(
              std::string(at.path) + ".mask.step" + std::to_string(at.step));
  std::vector<std::uint32_t> words(n);
  gen->random_u32(words);
  const double threshold = std::nearbyint(std::ldexp(1.0 - p, 32));
  std::vector<bool> keep(n);
  for (std::size_t i = 0; i < n; ++i) keep[i] = words[i] < threshold;
  return keep;
}

// The forward PyTorch computes for a kept / dropped element, with its
// float rounding of the scalars (ATen's _dropout_impl).
struct Affine {
  float keep_mul, keep_add, drop_add;
};
Affine affine_of(double p, bool alpha) {
  if (!alpha) return {1.0f / static_cast<float>(1.0 - p), 0.0f, 0.0f};
  const double a = 1.0 / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
  const auto b = static_cast<float>(kAlpha * a * p);
  return {static_cast<float>(a), b, -static_cast<float>(kAlpha * a) + b};
}

memory::desc layout(const memory::dims& dims, Tag tag) {
  return tag == Tag::undef ? plain(dims)
                           : memory::desc(dims, memory::data_type::f32, tag);
}

// A training forward of `layer` at step `at` on row-major `x`, given to the
// layer in layout `tag`; the output row-major.
struct TrainRun {
  memory src, dst;
};
TrainRun train_forward(
    Layer& layer,
    const Shape& sample,
    std::int64_t batch,
    const std::vector<float>& x,
    const StepContext& at,
    Tag tag = Tag::undef) {
  DnnlContext& ctx = context();
  const memory::desc md = layout(batched(batch, sample), tag);
  TrainRun r{memory_in_layout(md, x), {}};
  const memory::desc dst_md =
      layer.prepare(ctx, batch, {&md, 1}, Phase::Training);
  EXPECT_EQ(dst_md, md) << "works in the producer's layout";
  r.dst = memory(dst_md, ctx.engine);
  layer.begin_step(at);
  layer.forward(ctx, {&r.src, 1}, r.dst);
  ctx.stream.wait();
  return r;
}

std::vector<float> train_output(
    const LayerSpec& spec,
    const Shape& sample,
    std::int64_t batch,
    const std::vector<float>& x,
    const StepContext& at,
    Tag tag = Tag::undef) {
  const auto layer = make_layer(spec, {{sample}});
  return to_plain(train_forward(*layer, sample, batch, x, at, tag).dst);
}

std::vector<std::uint32_t> bits(const std::vector<float>& v) {
  std::vector<std::uint32_t> out;
  for (float f : v) out.push_back(std::bit_cast<std::uint32_t>(f));
  return out;
}

const StepContext kAt{.seed = 5, .path = "drop", .step = 3};

TEST(Dropout, OutputFollowsTheMaskContractExactly) {
  const Shape sample{5, 7};
  const std::int64_t batch = 3;
  const std::vector<float> x = random_values(batch * sample.numel(), 1);
  for (const bool alpha : {false, true}) {
    SCOPED_TRACE(alpha ? "AlphaDropout" : "Dropout");
    const double p = 0.3;
    const std::vector<float> y = train_output(
        alpha ? alpha_dropout(p) : dropout(p), sample, batch, x, kAt);
    const std::vector<bool> keep = contract_mask(kAt, p, x.size());
    const Affine f = affine_of(p, alpha);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float expected =
          alpha ? (keep[i] ? x[i] * f.keep_mul + f.keep_add : f.drop_add)
                : (keep[i] ? x[i] * f.keep_mul : 0.0f);
      // The products and sums are single float operations, as ATen's.
      ASSERT_EQ(y[i], expected) << "element " << i;
      kept += keep[i];
    }
    EXPECT_GT(kept, 0u);  // both kinds occur: the check compares something
    EXPECT_LT(kept, x.size());
  }
}

TEST(Dropout, MaskIsTheSameInEveryLayoutAndForEveryBatchSize) {
  // 17 channels: nChw16c pads the second channel block.
  const Shape sample{17, 3, 2};
  const std::vector<float> x = random_values(3 * sample.numel(), 2);
  for (const LayerSpec& spec : {dropout(0.5), alpha_dropout(0.5)}) {
    SCOPED_TRACE(spec.type_name());
    const auto reference = bits(train_output(spec, sample, 3, x, kAt));
    for (Tag tag : {Tag::nhwc, Tag::nChw16c, Tag::nChw8c}) {
      SCOPED_TRACE(testing::Message() << "tag " << static_cast<int>(tag));
      EXPECT_EQ(bits(train_output(spec, sample, 3, x, kAt, tag)), reference);
    }
    // A shorter (last) batch gives its samples the masks they have in a
    // full one: sample k's mask is elements [k S, (k + 1) S) of the draw.
    const std::vector<float> first_two(
        x.begin(), x.begin() + 2 * sample.numel());
    const auto shorter = bits(train_output(spec, sample, 2, first_two, kAt));
    EXPECT_EQ(
        shorter,
        std::vector<std::uint32_t>(
            reference.begin(), reference.begin() + 2 * sample.numel()));
  }
}

TEST(Dropout, BlockedLayoutPaddingStaysZero) {
  const Shape sample{17, 2, 2};
  const std::vector<float> x = random_values(2 * sample.numel(), 3);
  for (const LayerSpec& spec : {dropout(0.5), alpha_dropout(0.5)}) {
    SCOPED_TRACE(spec.type_name());
    const auto layer = make_layer(spec, {{sample}});
    // AlphaDropout's dropped value is not 0: the padding must not get it.
    const TrainRun r = train_forward(*layer, sample, 2, x, kAt, Tag::nChw16c);
    const memory clean = memory_in_layout(r.dst.get_desc(), to_plain(r.dst));
    const auto* got = static_cast<const float*>(r.dst.get_data_handle());
    const auto* want = static_cast<const float*>(clean.get_data_handle());
    const std::size_t n = r.dst.get_desc().get_size() / sizeof(float);
    EXPECT_TRUE(std::equal(got, got + n, want));
  }
}

TEST(Dropout, SameSeedPathAndStepSameMaskAnyOtherAnotherMask) {
  const Shape sample{4096};
  const std::vector<float> x(sample.numel(), 1.0f);
  const auto at = [&](std::uint64_t seed, const char* path, std::int64_t s) {
    return train_output(dropout(0.5), sample, 1, x, {seed, path, s});
  };
  const std::vector<float> base = at(5, "drop", 3);
  // A fresh layer (a resumed run's) at the same step draws the same mask.
  EXPECT_EQ(at(5, "drop", 3), base);
  // Another step, layer or seed: a fresh mask, about half the elements
  // differ (Binomial(4096, 1/2): mean 2048, std 32).
  for (const auto& other :
       {at(5, "drop", 4), at(5, "drop2", 3), at(6, "drop", 3)}) {
    std::size_t differ = 0;
    for (std::size_t i = 0; i < x.size(); ++i) differ += other[i] != base[i];
    EXPECT_NEAR(static_cast<double>(differ), 2048.0, 5 * 32.0);
  }
  // One layer object moving through steps: each forward draws its step's.
  const auto layer = make_layer(dropout(0.5), {{sample}});
  const std::vector<float> s4 =
      to_plain(train_forward(*layer, sample, 1, x, {5, "drop", 4}).dst);
  EXPECT_EQ(s4, at(5, "drop", 4));
  EXPECT_EQ(to_plain(train_forward(*layer, sample, 1, x, kAt).dst), base);
}

// Large enough that the 5-sigma bounds below are tight (n = 2^20).
constexpr std::int64_t kBatch = 16;
const Shape kWide{65536};

std::vector<float> standard_normal(std::size_t n, std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& f : v) f = dist(engine);
  return v;
}

class DropoutMoments : public testing::TestWithParam<double> {};

TEST_P(DropoutMoments, KeepRateMeanAndSecondMomentWithinFiveSigma) {
  const double p = GetParam();
  std::vector<float> x =
      standard_normal(static_cast<std::size_t>(kBatch * kWide.numel()), 4);
  for (float& v : x) v += 0.5f;  // a non-zero mean to preserve
  const std::vector<float> y = train_output(dropout(p), kWide, kBatch, x, kAt);
  const auto n = static_cast<double>(x.size());
  double kept = 0, sum_x = 0, sum_y = 0, sq_x = 0, sq_y = 0, x4 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    kept += y[i] != 0.0f;
    sum_x += x[i];
    sum_y += y[i];
    sq_x += double{x[i]} * x[i];
    sq_y += double{y[i]} * y[i];
    x4 += std::pow(double{x[i]}, 4);
  }
  // Given x, each mask bit is Bernoulli(1 - p): the kept count has variance
  // n p (1 - p); sum(y) - sum(x) = sum x (m / (1 - p) - 1) has variance
  // sum(x^2) p / (1 - p); sum(y^2) has mean sum(x^2) / (1 - p) and variance
  // sum(x^4) p / (1 - p).
  EXPECT_NEAR(kept / n, 1.0 - p, 5.0 * std::sqrt(p * (1.0 - p) / n));
  EXPECT_NEAR(sum_y / n, sum_x / n, 5.0 * std::sqrt(sq_x * p / (1.0 - p)) / n);
  EXPECT_NEAR(
      sq_y / n, sq_x / (1.0 - p) / n, 5.0 * std::sqrt(x4 * p / (1.0 - p)) / n);
}

INSTANTIATE_TEST_SUITE_P(
    Layers, DropoutMoments, testing::Values(0.1, 0.5, 0.8));

class AlphaDropoutMoments : public testing::TestWithParam<double> {};

TEST_P(AlphaDropoutMoments, KeepsZeroMeanAndUnitVarianceWithinFiveSigma) {
  const double p = GetParam();
  const std::vector<float> x =
      standard_normal(static_cast<std::size_t>(kBatch * kWide.numel()), 5);
  const std::vector<float> y =
      train_output(alpha_dropout(p), kWide, kBatch, x, kAt);
  const Affine f = affine_of(p, true);
  const auto n = static_cast<double>(x.size());
  double dropped = 0, sum = 0, sq = 0;
  for (float v : y) {
    dropped += v == f.drop_add;  // a kept x hits it with probability 0
    sum += v;
    sq += double{v} * v;
  }
  // For x ~ N(0, 1), y = a x + b (kept) or c (dropped) has mean 0 and
  // variance 1 by construction; its fourth moment is (1 - p)(3 a^4 +
  // 6 a^2 b^2 + b^4) + p c^4, so the sample variance has standard error
  // sqrt((m4 - 1) / n) and the mean 1 / sqrt(n).
  const double a = f.keep_mul, b = f.keep_add, c = f.drop_add;
  const double m4 =
      (1.0 - p) * (3 * std::pow(a, 4) + 6 * a * a * b * b + std::pow(b, 4)) +
      p * std::pow(c, 4);
  const double mean = sum / n;
  EXPECT_NEAR(dropped / n, p, 5.0 * std::sqrt(p * (1.0 - p) / n));
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(sq / n - mean * mean, 1.0, 5.0 * std::sqrt((m4 - 1.0) / n));
}

INSTANTIATE_TEST_SUITE_P(
    Layers, AlphaDropoutMoments, testing::Values(0.1, 0.5, 0.8));

struct GradCaseSpec {
  const char* name;
  bool alpha;
  double p;
};

class DropoutBackward : public testing::TestWithParam<GradCaseSpec> {};

TEST_P(DropoutBackward, MatchesFiniteDifferencesWithTheMaskFixed) {
  const GradCaseSpec& t = GetParam();
  const Shape sample{17, 3, 2};
  const std::int64_t batch = 2;
  const std::vector<bool> keep =
      contract_mask(kAt, t.p, static_cast<std::size_t>(batch * sample.numel()));
  const Affine f = affine_of(t.p, t.alpha);
  // The layer's function for this step's mask, in double.
  const RefForward ref = [&](const auto& in, const auto&) {
    std::vector<double> y(in[0].size());
    for (std::size_t i = 0; i < y.size(); ++i) {
      y[i] = keep[i] ? in[0][i] * f.keep_mul + (t.alpha ? f.keep_add : 0.0f)
                     : (t.alpha ? f.drop_add : 0.0f);
    }
    return y;
  };
  const LayerSpec spec = t.alpha ? alpha_dropout(t.p) : dropout(t.p);
  for (Tag tag : {Tag::undef, Tag::nhwc, Tag::nChw16c}) {
    SCOPED_TRACE(testing::Message() << "layout tag " << static_cast<int>(tag));
    const auto layer = make_layer(spec, {{sample}});
    layer->begin_step(kAt);
    GradCase c;
    c.options = spec;
    c.input_shapes = {sample};
    c.batch = batch;
    c.inputs = {random_values(batch * sample.numel(), 6)};
    c.reference = ref;
    c.src_tags = {tag};
    c.layer = layer.get();
    gradcheck(c);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Layers,
    DropoutBackward,
    testing::Values(
        GradCaseSpec{"Dropout", false, 0.4},
        GradCaseSpec{"AlphaDropout", true, 0.3}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Dropout, EvaluationIsTheIdentityAndMayAliasItsInput) {
  DnnlContext& ctx = context();
  const Shape sample{17, 3, 2};
  const std::vector<float> x = random_values(2 * sample.numel(), 7);
  for (const LayerSpec& spec : {dropout(0.5), alpha_dropout(0.9)}) {
    for (Tag tag : {Tag::undef, Tag::nChw16c}) {
      SCOPED_TRACE(spec.type_name());
      const auto layer = make_layer(spec, {{sample}});
      const memory::desc md = layout(batched(2, sample), tag);
      memory src = memory_in_layout(md, x);
      EXPECT_EQ(layer->prepare(ctx, 2, {&md, 1}, Phase::Inference), md);
      EXPECT_TRUE(layer->output_aliases_input());
      layer->begin_step(kAt);  // no effect in evaluation
      memory dst(md, ctx.engine);
      layer->forward(ctx, {&src, 1}, dst);
      ctx.stream.wait();
      EXPECT_EQ(bits(to_plain(dst)), bits(x));
      memory aliased(md, ctx.engine, src.get_data_handle());
      layer->forward(ctx, {&src, 1}, aliased);
      EXPECT_EQ(bits(to_plain(src)), bits(x));
      memory diff(md, ctx.engine);
      EXPECT_THROW(
          layer->backward(ctx, {&src, 1}, dst, dst, {&diff, 1}), UsageError);
      // Training never aliases: it writes the masked values.
      layer->prepare(ctx, 2, {&md, 1}, Phase::Training);
      EXPECT_FALSE(layer->output_aliases_input());
    }
  }
}

TEST(Dropout, PZeroIsTheIdentityAndPOneGivesZerosAsPyTorch) {
  DnnlContext& ctx = context();
  const Shape sample{6, 5};
  std::vector<float> x = random_values(2 * sample.numel(), 8);
  x[0] = -0.0f;  // the identity keeps the sign of zero
  const std::vector<float> g = random_values(2 * sample.numel(), 9);
  for (const bool alpha : {false, true}) {
    for (const double p : {0.0, 1.0}) {
      SCOPED_TRACE(testing::Message() << (alpha ? "Alpha" : "") << "p " << p);
      const LayerSpec spec = alpha ? alpha_dropout(p) : dropout(p);
      const auto layer = make_layer(spec, {{sample}});
      TrainRun r = train_forward(*layer, sample, 2, x, kAt);
      const memory diff_dst = plain_memory(batched(2, sample), g);
      memory diff_src(r.src.get_desc(), ctx.engine);
      layer->backward(ctx, {&r.src, 1}, r.dst, diff_dst, {&diff_src, 1});
      ctx.stream.wait();
      if (p == 0.0) {
        EXPECT_EQ(bits(to_plain(r.dst)), bits(x));
        EXPECT_EQ(bits(to_plain(diff_src)), bits(g));
      } else {
        const std::vector<float> zeros(x.size(), 0.0f);
        EXPECT_EQ(to_plain(r.dst), zeros);
        EXPECT_EQ(to_plain(diff_src), zeros);
      }
    }
  }
}

TEST(Dropout, ArgumentsAreCheckedAgainstTheirBounds) {
  const auto message = [](const char* type, double p) {
    try {
      layer_spec(type, {{"p", p}});
    } catch (const ArgumentError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(message("Dropout", 1.5), HasSubstr("Dropout p: expected"));
  EXPECT_THAT(message("Dropout", 1.5), HasSubstr("got 1.5"));
  EXPECT_THAT(message("AlphaDropout", -0.1), HasSubstr("AlphaDropout p:"));
  EXPECT_EQ(message("Dropout", 1.0), "no error");
  EXPECT_EQ(message("Dropout", 0.0), "no error");
  EXPECT_EQ(layer_spec("Dropout").args.number("p"), 0.5);
  EXPECT_EQ(layer_spec("AlphaDropout").args.number("p"), 0.5);
  EXPECT_THROW(make_layer(dropout(0.5), {{Shape{2}, Shape{2}}}), ShapeError);
}

}  // namespace
}  // namespace initforge::layer_test
