// SPDX-License-Identifier: Apache-2.0
// The lsuv scheme on its own: schema, orthogonal pre-init (the orthogonal
// scheme's bits), refusals, and calibrate() against a fake host whose layer
// is linear (optionally plus an output term the weight does not scale), so
// the expected iterations and variances are known exactly.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/init/calibration.h"

#include "tests/plugins/plugin_test_util.h"

namespace initforge::testing {
namespace {

using ::testing::HasSubstr;

// y[i, o] = sum_k x[i, k] w[o, k] + noise * e[i, o]: x and e fixed N(0, 1).
class FakeLinear final : public Calibration {
 public:
  FakeLinear(std::int64_t out, std::int64_t in, double noise, double x_scale)
      : out_(out), in_(in), noise_(noise) {
    weight_.resize(static_cast<std::size_t>(out * in));
    x_.resize(static_cast<std::size_t>(kBatch * in));
    e_.resize(static_cast<std::size_t>(kBatch * out));
    y_.resize(e_.size());
    auto source = RandomSource::create(RngKind::Philox, 3);
    source->generator_for("x")->normal(x_, 0.0, x_scale);
    source->generator_for("e")->normal(e_, 0.0, 1.0);
  }

  const std::string& layer() const override {
    return name_;
  }
  TensorView param() override {
    return {weight_, Shape{out_, in_}};
  }
  std::vector<std::pair<std::string, TensorView>> layer_params() override {
    return {{"weight", param()}};
  }
  ConstTensorView layer_output() override {
    ++forwards;
    for (std::int64_t i = 0; i < kBatch; ++i) {
      for (std::int64_t o = 0; o < out_; ++o) {
        double sum = noise_ * e_[static_cast<std::size_t>(i * out_ + o)];
        for (std::int64_t k = 0; k < in_; ++k) {
          sum +=
              static_cast<double>(x_[static_cast<std::size_t>(i * in_ + k)]) *
              weight_[static_cast<std::size_t>(o * in_ + k)];
        }
        y_[static_cast<std::size_t>(i * out_ + o)] = static_cast<float>(sum);
      }
    }
    return {y_, Shape{kBatch, out_}};
  }
  ConstTensorView output_of(const std::string& layer) override {
    if (layer != name_) throw InvalidArgument("unknown layer " + layer);
    return layer_output();
  }
  std::int64_t batch() const override {
    return kBatch;
  }
  void report(std::string line) override {
    lines.push_back(std::move(line));
  }

  static constexpr std::int64_t kBatch = 200;
  std::vector<float> weight_;
  std::vector<std::string> lines;
  int forwards = 0;

 private:
  std::string name_ = "fc";
  std::int64_t out_, in_;
  double noise_;
  std::vector<float> x_, e_, y_;
};

double variance(std::span<const float> v) {
  double mean = 0.0;
  for (const float x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double sq = 0.0;
  for (const float x : v) sq += (x - mean) * (x - mean);
  return sq / static_cast<double>(v.size());
}

// Fills the fake's weight with lsuv's pre-init, then calibrates it.
void init_and_calibrate(
    FakeLinear& fake, const Initializer& lsuv, std::uint64_t seed = 7) {
  const ParamInfo info{"fc.weight", fake.param().shape(), std::nullopt};
  auto source = RandomSource::create(RngKind::Philox, seed);
  auto gen = source->generator_for(info.path);
  lsuv.fill(fake.param(), {info, *gen});
  lsuv.calibrate({info, *gen, fake});
}

TEST(Lsuv, IsDataDependentWithItsArgumentSchema) {
  const SchemeInfo& info = builtin_registry().find("lsuv").info;
  EXPECT_TRUE(info.data_dependent);
  EXPECT_FALSE(info.elementwise);
  const Args args = bind_args(info.args, {});
  EXPECT_EQ(args.number("tol"), 0.1);
  EXPECT_EQ(args.integer("max_iters"), 10);
  EXPECT_EQ(args.number("target_var"), 1.0);
  EXPECT_THAT(
      message_of<ArgumentError>([] {
        make("lsuv", {{"tol", 0.0}});
      }),
      HasSubstr("expected a number > 0; got 0"));
  EXPECT_THAT(
      message_of<ArgumentError>([] {
        make("lsuv", {{"max_iters", std::int64_t{0}}});
      }),
      HasSubstr("expected an integer >= 1; got 0"));
  EXPECT_THAT(
      message_of<ArgumentError>([] {
        make("lsuv", {{"target_var", -1.0}});
      }),
      HasSubstr("expected a number > 0; got -1"));
}

TEST(Lsuv, FillIsTheOrthogonalSchemeWithGainOne) {
  for (const Shape& shape : {Shape{24, 40}, Shape{40, 24}, Shape{8, 3, 3, 3}}) {
    SCOPED_TRACE(shape.to_string());
    const std::vector<float> lsuv = fill("lsuv", {}, {shape});
    const std::vector<float> ortho = fill("orthogonal", {}, {shape});
    EXPECT_EQ(std::memcmp(lsuv.data(), ortho.data(), lsuv.size() * 4), 0);
  }
}

TEST(Lsuv, RefusesBiasesAndOneDimensionalParameters) {
  const auto lsuv = make("lsuv");
  const std::string message = message_of<InvalidArgument>([&] {
    lsuv->check({"fc1.bias", Shape{16}, std::nullopt});
  });
  EXPECT_THAT(message, HasSubstr("lsuv: rescales the weight of a layer"));
  EXPECT_THAT(message, HasSubstr("fc1.bias has 1 dimension(s)"));
  EXPECT_THAT(message, HasSubstr("; got shape [16]"));
  EXPECT_NO_THROW(lsuv->check({"fc1.weight", Shape{16, 4}, std::nullopt}));
}

TEST(Lsuv, LinearLayerConvergesInOneRescaleKeepingTheDirection) {
  // Input std 3: the orthogonal pre-init gives output var about 9.
  FakeLinear fake(16, 32, 0.0, 3.0);
  const auto lsuv = make("lsuv");
  const ParamInfo info{"fc.weight", Shape{16, 32}, std::nullopt};
  auto source = RandomSource::create(RngKind::Philox, 7);
  auto gen = source->generator_for(info.path);
  lsuv->fill(fake.param(), {info, *gen});
  const std::vector<float> pre = fake.weight_;
  lsuv->calibrate({info, *gen, fake});

  const double var = variance(fake.layer_output().data());
  EXPECT_NEAR(var, 1.0, 1e-4);  // linear: exact up to float rounding
  EXPECT_EQ(fake.forwards, 3);  // start, after the rescale, our check
  const double scale = fake.weight_[0] / pre[0];
  EXPECT_GT(scale, 0.0);
  for (std::size_t i = 0; i < pre.size(); ++i) {
    EXPECT_NEAR(fake.weight_[i], scale * pre[i], 1e-6);
  }
  ASSERT_EQ(fake.lines.size(), 1u);
  EXPECT_THAT(fake.lines[0], HasSubstr(" -> 1 after 1 iteration (converged"));
}

TEST(Lsuv, TargetVarianceIsReached) {
  FakeLinear fake(16, 32, 0.0, 1.0);
  init_and_calibrate(fake, *make("lsuv", {{"target_var", 4.0}}));
  EXPECT_NEAR(variance(fake.layer_output().data()), 4.0, 1e-3);
}

TEST(Lsuv, AlreadyWithinToleranceLeavesTheWeightAlone) {
  // Orthogonal weights keep a unit-variance input's variance (about 1).
  FakeLinear fake(32, 32, 0.0, 1.0);
  const auto lsuv = make("lsuv", {{"tol", 0.5}});
  const ParamInfo info{"fc.weight", Shape{32, 32}, std::nullopt};
  auto gen = RandomSource::create(RngKind::Philox, 7)->generator_for("w");
  lsuv->fill(fake.param(), {info, *gen});
  const std::vector<float> pre = fake.weight_;
  lsuv->calibrate({info, *gen, fake});
  EXPECT_EQ(fake.weight_, pre);
  ASSERT_EQ(fake.lines.size(), 1u);
  EXPECT_THAT(fake.lines[0], HasSubstr("after 0 iterations (converged"));
}

TEST(Lsuv, UnscaledOutputTermNeedsIterationsAndIsReportedWhenTheyRunOut) {
  // var(s) = s^2 a + 0.25: each rescale only gets part of the way there.
  FakeLinear slow(16, 32, 0.5, 3.0);
  init_and_calibrate(
      slow, *make("lsuv", {{"tol", 1e-6}, {"max_iters", std::int64_t{1}}}));
  ASSERT_EQ(slow.lines.size(), 1u);
  EXPECT_THAT(
      slow.lines[0],
      HasSubstr("after 1 iteration (NOT converged within max_iters 1: |var - "
                "1| > 1e-06)"));

  FakeLinear enough(16, 32, 0.5, 3.0);
  init_and_calibrate(
      enough, *make("lsuv", {{"tol", 1e-3}, {"max_iters", std::int64_t{50}}}));
  EXPECT_NEAR(variance(enough.layer_output().data()), 1.0, 1e-3);
  EXPECT_THAT(enough.lines.at(0), HasSubstr("(converged: within 0.001 of 1)"));
}

TEST(Lsuv, ConstantOutputIsReportedNotRescaled) {
  FakeLinear fake(16, 32, 0.0, 0.0);  // zero input: zero output
  init_and_calibrate(fake, *make("lsuv"));
  ASSERT_EQ(fake.lines.size(), 1u);
  EXPECT_THAT(
      fake.lines[0],
      HasSubstr("output var 0 -> 0 after 0 iterations (NOT converged: the "
                "output is constant"));
}

TEST(Lsuv, NonFiniteOutputIsAnError) {
  FakeLinear fake(4, 4, 0.0, 1.0);
  const auto lsuv = make("lsuv");
  const ParamInfo info{"fc.weight", Shape{4, 4}, std::nullopt};
  auto gen = RandomSource::create(RngKind::Philox, 7)->generator_for("w");
  lsuv->fill(fake.param(), {info, *gen});
  fake.weight_[0] = std::numeric_limits<float>::infinity();
  EXPECT_THAT(
      message_of<InvalidArgument>([&] {
        lsuv->calibrate({info, *gen, fake});
      }),
      HasSubstr("lsuv: the output of layer fc on the calibration batch has a "
                "non-finite variance"));
}

TEST(Lsuv, SameSeedSameBits) {
  FakeLinear a(16, 32, 0.5, 3.0), b(16, 32, 0.5, 3.0), c(16, 32, 0.5, 3.0);
  const auto lsuv = make("lsuv", {{"tol", 1e-3}});
  init_and_calibrate(a, *lsuv, 7);
  init_and_calibrate(b, *lsuv, 7);
  init_and_calibrate(c, *lsuv, 8);
  EXPECT_EQ(a.weight_, b.weight_);
  EXPECT_NE(a.weight_, c.weight_);
}

}  // namespace
}  // namespace initforge::testing
