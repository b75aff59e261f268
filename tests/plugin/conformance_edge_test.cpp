// SPDX-License-Identifier: Apache-2.0
// check_conformance on in-process schemes made to hit one edge each: no
// applicable shape, a misbehaving check(), bounds and constants off their
// target, cross-argument constraints, data-dependent schemes.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/init/goodness_of_fit.h"
#include "framework/plugin/conformance.h"

namespace initforge {
namespace {

using ::testing::HasSubstr;

// An initializer whose check / fill / target are given by the test.
struct Behaviour {
  std::function<void(const ParamInfo&)> check = [](const ParamInfo&) {};
  std::function<void(TensorView, const FillContext&)> fill =
      [](TensorView dst, const FillContext& ctx) {
        ctx.gen.uniform(dst.data(), 0.0, 1.0);
      };
  std::function<Target(const ParamInfo&)> target = [](const ParamInfo&) {
    return Target::uniform(0.0, 1.0);
  };
};

class Scripted final : public Initializer {
 public:
  explicit Scripted(Behaviour b) : b_(std::move(b)) {}
  void check(const ParamInfo& param) const override {
    b_.check(param);
  }
  void fill(TensorView dst, const FillContext& ctx) const override {
    b_.fill(dst, ctx);
  }
  Target target(const ParamInfo& param) const override {
    return b_.target(param);
  }

 private:
  Behaviour b_;
};

SchemeInfo scripted(Behaviour b, std::vector<ArgSpec> args = {}) {
  SchemeInfo info;
  info.name = "scripted";
  info.doc = "test scheme";
  info.args = std::move(args);
  info.create = [b](const Args&) { return std::make_unique<Scripted>(b); };
  return info;
}

ConformanceReport report_of(SchemeInfo info) {
  Registry registry;
  registry.add(std::move(info));
  return check_conformance(registry, "scripted");
}

std::vector<ConformanceRow> failed(const ConformanceReport& report) {
  std::vector<ConformanceRow> out;
  for (const ConformanceRow& row : report.rows) {
    if (row.result == CheckResult::Failed) out.push_back(row);
  }
  return out;
}

const ConformanceRow& row_named(
    const ConformanceReport& report, const std::string& subject) {
  for (const ConformanceRow& row : report.rows) {
    if (row.subject == subject) return row;
  }
  throw std::runtime_error("no row " + subject);
}

TEST(ConformanceEdge, WellBehavedSchemePasses) {
  const ConformanceReport report = report_of(scripted({}));
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.library_path, "");
}

TEST(ConformanceEdge, NoApplicableShapeFails) {
  Behaviour b;
  b.check = [](const ParamInfo&) { throw InvalidArgument("never"); };
  const auto bad = failed(report_of(scripted(b)));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].check, "finite");
  EXPECT_EQ(bad[0].subject, "every shape");
  EXPECT_EQ(
      bad[0].detail,
      "check() refuses every test shape: nothing could be filled");
}

TEST(ConformanceEdge, CheckThrowingAnotherTypeFails) {
  Behaviour b;
  b.check = [](const ParamInfo& p) {
    if (p.shape.rank() == 1) throw std::runtime_error("boom");
  };
  const auto bad = failed(report_of(scripted(b)));
  ASSERT_EQ(bad.size(), 2u);  // both bias shapes
  EXPECT_EQ(bad[0].subject, "[5] bias of [5, 3]");
  EXPECT_EQ(
      bad[0].detail,
      "check() must throw InvalidArgument for a shape it cannot fill; it "
      "threw: boom");
}

TEST(ConformanceEdge, UnwrittenElementsFailFinite) {
  Behaviour b;
  b.fill = [](TensorView dst, const FillContext& ctx) {
    ctx.gen.uniform(dst.data().subspan(1), 0.0, 1.0);  // skips element 0
  };
  const auto bad = failed(report_of(scripted(b)));
  ASSERT_FALSE(bad.empty());
  EXPECT_EQ(bad[0].check, "finite");
  EXPECT_THAT(
      bad[0].detail,
      HasSubstr("the first at index 0: nan (unwritten elements count"));
}

TEST(ConformanceEdge, ValueOutsideDeclaredUniformBoundsFails) {
  Behaviour b;
  b.fill = [](TensorView dst, const FillContext& ctx) {
    ctx.gen.uniform(dst.data(), 0.0, 1.0);
    if (ctx.offset == 0) dst.data()[0] = 1.5F;  // one outlier: KS misses it
  };
  const auto bad = failed(report_of(scripted(b)));
  ASSERT_EQ(bad.size(), 3u);
  EXPECT_EQ(bad[0].check, "distribution");
  EXPECT_THAT(
      bad[0].detail,
      HasSubstr(">= 0.001, n=100000; 1 values outside "
                "[0, 1]; first at index 0: 1.5"));
}

TEST(ConformanceEdge, ConstantTargetIsCheckedExactly) {
  Behaviour b;
  b.fill = [](TensorView dst, const FillContext& ctx) {
    std::ranges::fill(dst.data(), 0.5F);
    if (ctx.offset <= 9 && 9 < ctx.offset + dst.numel()) {
      dst.data()[static_cast<std::size_t>(9 - ctx.offset)] = 0.25F;
    }
  };
  b.target = [](const ParamInfo&) { return Target::constant(0.5); };
  const auto bad = failed(report_of(scripted(b)));
  ASSERT_EQ(bad.size(), 3u);
  EXPECT_EQ(
      bad[0].detail,
      "constant 0.5: 1 of 100000 values differ from 0.5; first at index 9: "
      "0.25");
}

// a <= b is a cross-argument constraint: a at its maximum is accepted once
// b is raised too.
TEST(ConformanceEdge, CrossArgumentRefusalPassesWhenAnotherValueAllowsIt) {
  SchemeInfo info = scripted(
      {},
      {ArgSpec::number("a", 0.0, "low").at_most(10.0),
       ArgSpec::number("b", 1.0, "high")});
  info.create = [](const Args& args) -> std::unique_ptr<Initializer> {
    if (args.number("a") > args.number("b")) {
      throw ArgumentError("a", "expected a <= b");
    }
    return std::make_unique<Scripted>(Behaviour{});
  };
  const ConformanceReport report = report_of(info);
  EXPECT_TRUE(report.passed());
  const ConformanceRow& row =
      row_named(report, "a=10 (at the maximum, a <= 10)");
  EXPECT_EQ(row.result, CheckResult::Passed);
  EXPECT_EQ(
      row.detail,
      "accepted with b=10 (with the base arguments: expected a <= b)");
}

// A refusal that names another argument and no other value lifts is a
// constraint the schema cannot express: reported, not failed.
TEST(ConformanceEdge, RefusalNamingAnotherArgumentIsSkipped) {
  SchemeInfo info = scripted(
      {},
      {ArgSpec::number("a", 1.0, "scale").at_least(0.0),
       ArgSpec::boolean("b", false, "flag")});
  info.create = [](const Args& args) -> std::unique_ptr<Initializer> {
    if (args.number("a") == 0.0) throw ArgumentError("b", "b conflicts");
    return std::make_unique<Scripted>(Behaviour{});
  };
  const ConformanceReport report = report_of(info);
  EXPECT_TRUE(report.passed());
  const ConformanceRow& row = row_named(report, "a=0 (at the minimum, a >= 0)");
  EXPECT_EQ(row.result, CheckResult::Skipped);
  EXPECT_EQ(
      row.detail,
      "refused by a cross-argument constraint on \"b\": b conflicts");
}

TEST(ConformanceEdge, FactoryFailureFailsAndSkipsTheRest) {
  SchemeInfo info = scripted({});
  info.create = [](const Args&) -> std::unique_ptr<Initializer> {
    throw std::runtime_error("boom");
  };
  const ConformanceReport report = report_of(info);
  ASSERT_EQ(report.rows.size(), 2u);
  EXPECT_EQ(report.rows[0].result, CheckResult::Failed);
  EXPECT_EQ(
      report.rows[0].detail,
      "cannot create the initializer: plugin (in-process): scheme "
      "\"scripted\" failed to create: boom");
  EXPECT_EQ(report.rows[1].result, CheckResult::Skipped);
}

TEST(ConformanceEdge, DataDependentSchemeSaysCalibrationIsNotExercised) {
  SchemeInfo info = scripted({});
  info.data_dependent = true;
  const ConformanceReport report = report_of(info);
  EXPECT_TRUE(report.passed());
  const ConformanceRow& last = report.rows.back();
  EXPECT_EQ(last.check, "calibration");
  EXPECT_EQ(last.result, CheckResult::Skipped);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_THAT(
      report.notes[0],
      HasSubstr("calibrate() needs a model and is "
                "not exercised"));
}

TEST(GoodnessOfFit, TargetCdfFollowsTheKind) {
  EXPECT_DOUBLE_EQ(target_cdf(Target::uniform(0, 4))(1.0), 0.25);
  EXPECT_DOUBLE_EQ(target_cdf(Target::normal(3, 2))(3.0), 0.5);
  EXPECT_DOUBLE_EQ(target_cdf(Target::truncated_normal(0, 1, -1, 1))(0.0), 0.5);
  EXPECT_EQ(target_cdf(Target::truncated_normal(0, 1, -1, 1))(-2.0), 0.0);
}

TEST(GoodnessOfFit, TargetCdfRefusesDegenerateTargets) {
  for (const Target& t :
       {Target::constant(1),
        Target::normal(0, 0),
        Target::uniform(2, 2),
        Target::unknown()}) {
    try {
      target_cdf(t);
      ADD_FAILURE() << "no exception";
    } catch (const InvalidArgument& e) {
      EXPECT_THAT(
          e.what(),
          HasSubstr("target_cdf: expected a continuous "
                    "target"));
    }
  }
}

}  // namespace
}  // namespace initforge
