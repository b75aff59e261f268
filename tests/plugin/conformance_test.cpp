// SPDX-License-Identifier: Apache-2.0
// check_conformance: every built-in scheme passes; each check fails on the
// fixture plugin (or in-process scheme) made to break it, and only there.
#include "framework/plugin/conformance.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <omp.h>

#include "framework/core/error.h"
#include "framework/init/goodness_of_fit.h"
#include "framework/plugin/loader.h"

#include "tests/testing/builtin_registry.h"

namespace initforge {
namespace {

using ::testing::HasSubstr;

std::string failures(const ConformanceReport& report) {
  std::string text;
  for (const ConformanceRow& row : report.rows) {
    if (row.result != CheckResult::Failed) continue;
    text += "\n  " + row.check + " | " + row.subject + " | " + row.detail;
  }
  return text;
}

std::vector<ConformanceRow> rows_of(
    const ConformanceReport& report,
    const std::string& check,
    CheckResult result) {
  std::vector<ConformanceRow> out;
  for (const ConformanceRow& row : report.rows) {
    if (row.check == check && row.result == result) out.push_back(row);
  }
  return out;
}

// The report of `scheme` from the conformance fixture library `kind`.
ConformanceReport fixture_report(
    const std::string& kind, const std::string& scheme) {
  Registry registry;
  load_plugin_dir(
      std::filesystem::path(INITFORGE_CONFORMANCE_FIXTURE_DIR) / kind,
      registry);
  return check_conformance(registry, scheme);
}

// Every failed row belongs to `check`, and there are `count` of them.
void expect_only_failures_in(
    const ConformanceReport& report, const std::string& check, size_t count) {
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.count(CheckResult::Failed), count) << failures(report);
  EXPECT_EQ(rows_of(report, check, CheckResult::Failed).size(), count)
      << failures(report);
}

TEST(Conformance, EveryBuiltinSchemePasses) {
  const Registry& registry = testing::builtin_registry();
  ASSERT_GE(registry.names().size(), 18u);
  for (const std::string& name : registry.names()) {
    SCOPED_TRACE(name);
    const ConformanceReport report = check_conformance(registry, name);
    EXPECT_TRUE(report.passed()) << failures(report);
    EXPECT_GE(report.count(CheckResult::Passed), 5u);
    // At least one shape applies to every scheme.
    EXPECT_FALSE(rows_of(report, "finite", CheckResult::Passed).empty());
    if (registry.find(name).info.data_dependent) {
      EXPECT_EQ(
          rows_of(report, "calibration", CheckResult::Skipped).size(), 1u);
    }
  }
}

TEST(Conformance, BuiltinRandomSchemeRunsEveryCheck) {
  const ConformanceReport report =
      check_conformance(testing::builtin_registry(), "kaiming_normal");
  EXPECT_EQ(report.count(CheckResult::Skipped), 0u);
  EXPECT_EQ(rows_of(report, "finite", CheckResult::Passed).size(), 6u);
  // philox and torch on the three large shapes.
  EXPECT_EQ(rows_of(report, "threads", CheckResult::Passed).size(), 6u);
  EXPECT_EQ(rows_of(report, "shards", CheckResult::Passed).size(), 6u);
  const auto ks = rows_of(report, "distribution", CheckResult::Passed);
  ASSERT_EQ(ks.size(), 3u);
  EXPECT_THAT(ks[0].detail, HasSubstr("N(mean 0, std 0.04472): KS D="));
  EXPECT_THAT(ks[0].detail, HasSubstr(">= 0.001, n=100000"));
  EXPECT_EQ(report.alpha, kConformanceAlpha);
}

TEST(Conformance, ShapesTheSchemeRefusesAreSkippedWithTheMessage) {
  const ConformanceReport report =
      check_conformance(testing::builtin_registry(), "eye");
  const auto skipped = rows_of(report, "finite", CheckResult::Skipped);
  ASSERT_EQ(skipped.size(), 4u);
  EXPECT_EQ(skipped[0].subject, "[4, 3, 3, 3]");
  EXPECT_EQ(
      skipped[0].detail,
      "not applicable (eye: Only tensors with 2 dimensions are supported; got "
      "shape [4, 3, 3, 3])");
  EXPECT_TRUE(report.passed()) << failures(report);
}

TEST(Conformance, NonElementwiseSchemeSkipsShards) {
  const ConformanceReport report =
      check_conformance(testing::builtin_registry(), "orthogonal");
  const auto shards = rows_of(report, "shards", CheckResult::Skipped);
  ASSERT_EQ(shards.size(), 1u);
  EXPECT_THAT(shards[0].detail, HasSubstr("not elementwise"));
}

TEST(Conformance, SchemaBoundsAreProbedOnBothSides) {
  const ConformanceReport report =
      check_conformance(testing::builtin_registry(), "variance_scaling");
  std::vector<std::string> subjects;
  for (const ConformanceRow& row :
       rows_of(report, "schema", CheckResult::Passed)) {
    subjects.push_back(row.subject);
  }
  EXPECT_THAT(
      subjects,
      ::testing::IsSupersetOf(
          {"no arguments",
           "defaults passed explicitly",
           "scale=\"x\" (wrong type, expected number)",
           "scale=0 (at the exclusive minimum, scale > 0)",
           "scale=1e-06 (inside, scale > 0)",
           "mode=\"not_a_choice_of_mode\" (not a choice)",
           "distribution: each of its 3 choices"}));
}

TEST(Conformance, RequiredArgumentsAreChosenAndNoted) {
  const ConformanceReport report =
      check_conformance(testing::builtin_registry(), "sparse");
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_EQ(
      report.notes[0],
      "required argument sparsity not given: using 0.5 (choose with --arg "
      "sparsity=VALUE)");
  EXPECT_EQ(std::get<double>(report.args.at("sparsity")), 0.5);
  ConformanceOptions options;
  options.args = {{"sparsity", 0.25}};
  const ConformanceReport given =
      check_conformance(testing::builtin_registry(), "sparse", options);
  EXPECT_TRUE(given.notes.empty());
  EXPECT_EQ(std::get<double>(given.args.at("sparsity")), 0.25);
}

TEST(Conformance, UnknownSchemeThrowsWithDidYouMean) {
  try {
    check_conformance(testing::builtin_registry(), "kaiming_norml");
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("did you mean \"kaiming_normal\"?"));
  }
}

TEST(Conformance, BadBaseArgumentThrowsArgumentError) {
  ConformanceOptions options;
  options.args = {{"std", -1.0}};
  try {
    check_conformance(testing::builtin_registry(), "normal", options);
    FAIL() << "no exception";
  } catch (const ArgumentError& e) {
    EXPECT_EQ(e.key(), "std");
    EXPECT_THAT(e.what(), HasSubstr("expected a number >= 0; got -1"));
  }
}

TEST(Conformance, SameSeedSameReportOtherSeedOtherSample) {
  const Registry& registry = testing::builtin_registry();
  ConformanceOptions options;
  options.seed = 7;
  const auto a = check_conformance(registry, "normal", options);
  const auto b = check_conformance(registry, "normal", options);
  options.seed = 8;
  const auto c = check_conformance(registry, "normal", options);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].detail, b.rows[i].detail);
  }
  const auto ks_a = rows_of(a, "distribution", CheckResult::Passed);
  const auto ks_c = rows_of(c, "distribution", CheckResult::Passed);
  ASSERT_EQ(ks_a.size(), 3u);
  ASSERT_EQ(ks_c.size(), 3u);
  EXPECT_NE(ks_a[0].detail, ks_c[0].detail);
}

TEST(Conformance, RestoresTheThreadCount) {
  const int before = omp_get_max_threads();
  check_conformance(testing::builtin_registry(), "zeros");
  EXPECT_EQ(omp_get_max_threads(), before);
}

// --- fixture plugins: each check can fail --------------------------------

TEST(ConformanceFixture, ThreadDependentValuesFailThreads) {
  const auto report = fixture_report("threads", "fixture_thread_count");
  expect_only_failures_in(report, "threads", 6);
  EXPECT_THAT(
      rows_of(report, "threads", CheckResult::Failed)[0].detail,
      HasSubstr("values differ; first at index 0: 1 (1 thread) vs 2 (2 "
                "threads)"));
}

TEST(ConformanceFixture, ElementwiseSchemeIgnoringOffsetFailsShards) {
  const auto report = fixture_report("shards", "fixture_local_index");
  expect_only_failures_in(report, "shards", 6);
  EXPECT_THAT(
      rows_of(report, "shards", CheckResult::Failed)[0].detail,
      HasSubstr("shard [3, 15): "));
}

TEST(ConformanceFixture, ValuesOffTheirTargetFailTheKsTest) {
  const auto report = fixture_report("target", "fixture_wrong_target");
  expect_only_failures_in(report, "distribution", 3);
  const std::string detail =
      rows_of(report, "distribution", CheckResult::Failed)[0].detail;
  EXPECT_THAT(detail, HasSubstr("N(mean 0, std 1): KS D="));
  EXPECT_THAT(detail, HasSubstr(" < 0.001, n=100000"));
}

TEST(ConformanceFixture, NanOutputFailsFinite) {
  const auto report = fixture_report("nan", "fixture_nan_at_7");
  // Every shape but the 5-element bias holds element 7.
  expect_only_failures_in(report, "finite", 5);
  EXPECT_THAT(
      rows_of(report, "finite", CheckResult::Failed)[0].detail,
      HasSubstr("philox: 1 non-finite value(s) of 15; the first at index 7: "
                "nan"));
}

TEST(ConformanceFixture, FactoryWithHiddenStateFailsSchema) {
  const auto report = fixture_report("defaults", "fixture_stateful_factory");
  expect_only_failures_in(report, "schema", 1);
  const auto failed = rows_of(report, "schema", CheckResult::Failed);
  EXPECT_EQ(failed[0].subject, "defaults passed explicitly");
  EXPECT_EQ(
      failed[0].detail,
      "declared targets differ on [3, 5]: constant 1 (defaults left out) vs "
      "constant 2 (explicit)");
}

TEST(ConformanceFixture, FactoryRefusingADeclaredBoundFailsSchema) {
  const auto report = fixture_report("defaults", "fixture_bound_refused");
  expect_only_failures_in(report, "schema", 1);
  const auto failed = rows_of(report, "schema", CheckResult::Failed);
  EXPECT_EQ(failed[0].subject, "gain=0 (at the minimum, gain >= 0)");
  EXPECT_EQ(
      failed[0].detail,
      "the schema allows it, but the factory refuses it: gain must be "
      "positive");
}

}  // namespace
}  // namespace initforge
