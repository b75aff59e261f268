// SPDX-License-Identifier: Apache-2.0
// summary.json read back (parse_train_summary) and the JSON comparison
// `initforge train --resume` reports differences with (json_compare.h).
#include <cmath>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/io/json_compare.h"
#include "framework/io/train_report_json.h"

namespace initforge {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TrainSummary diverged_summary() {
  TrainSummary s;
  s.config_json = R"({"name": "m", "seed": 3, "input": [4]})";
  s.status = "diverged";
  s.error = "epoch 2: loss is nan";
  s.state.metrics.push_back(
      {.epoch = 1,
       .train_loss = 0.5,
       .train_acc = 0.75,
       .test_loss = 0.25,
       .test_acc = 0.875,
       .seconds = 1.5,
       .lr = 0.1});
  s.state.metrics.push_back(
      {.epoch = 2,
       .train_loss = std::numeric_limits<double>::quiet_NaN(),
       .test_loss = std::numeric_limits<double>::infinity()});
  return s;
}

TEST(TrainSummaryRead, ReadsBackWhatTheWriterWrote) {
  const RecordedSummary r =
      parse_train_summary(train_summary_json(diverged_summary()), "s.json");
  EXPECT_EQ(r.status, "diverged");
  EXPECT_EQ(r.error, "epoch 2: loss is nan");
  // Compact with sorted keys, whatever the writer's layout.
  EXPECT_EQ(r.config_json, R"({"input":[4],"name":"m","seed":3})");
  ASSERT_EQ(r.metrics.size(), 2u);
  EXPECT_EQ(r.metrics[0].epoch, 1);
  EXPECT_EQ(r.metrics[0].train_loss, 0.5);
  EXPECT_EQ(r.metrics[0].train_acc, 0.75);
  EXPECT_EQ(r.metrics[0].test_loss, 0.25);
  EXPECT_EQ(r.metrics[0].test_acc, 0.875);
  EXPECT_EQ(r.metrics[0].seconds, 1.5);
  EXPECT_EQ(r.metrics[0].lr, 0.1);
  // Non-finite values were written as null: they come back as NaN.
  EXPECT_TRUE(std::isnan(r.metrics[1].train_loss));
  EXPECT_TRUE(std::isnan(r.metrics[1].test_loss));
  EXPECT_EQ(r.metrics[1].train_acc, 0.0);
}

TEST(TrainSummaryRead, NullErrorAndMissingLrAreAccepted) {
  const RecordedSummary r = parse_train_summary(
      R"({"status": "running", "error": null, "config": {"a": 1},
          "metrics": [{"epoch": 1, "train_loss": 1, "train_acc": 0,
                       "test_loss": 1, "test_acc": 0, "seconds": 2}]})",
      "s.json");
  EXPECT_EQ(r.status, "running");
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.metrics.size(), 1u);
  EXPECT_TRUE(std::isnan(r.metrics[0].lr));
  EXPECT_EQ(r.metrics[0].seconds, 2.0);
}

TEST(TrainSummaryRead, MalformedTextIsIoErrorNamingTheFile) {
  const std::string prefix =
      "run/summary.json: not a training summary of initforge train: ";
  for (const std::string text :
       {"{",
        "[]",
        "{}",
        R"({"status": 1, "error": null})",
        R"({"status": "finished", "error": null, "config": {},
            "metrics": [{"epoch": "one"}]})"}) {
    SCOPED_TRACE(text);
    EXPECT_THROW(
        try {
          parse_train_summary(text, "run/summary.json");
        } catch (const IoError& e) {
          EXPECT_THAT(e.what(), StartsWith(prefix));
          throw;
        },
        IoError);
  }
  try {
    parse_train_summary("{", "s.json");
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("parse error"));
  }
}

TEST(CanonicalJson, EqualDocumentsGiveEqualText) {
  EXPECT_EQ(
      canonical_json(R"({ "b": [1, 2], "a": {"c": null} })"),
      R"({"a":{"c":null},"b":[1,2]})");
  EXPECT_EQ(canonical_json("3"), "3");
  EXPECT_EQ(canonical_json("{"), std::nullopt);
  EXPECT_EQ(canonical_json(""), std::nullopt);
}

std::string describe(const JsonDifference& d) {
  return d.pointer + " " + d.before.value_or("unset") + " -> " +
         d.after.value_or("unset");
}

std::vector<std::string> differences(const char* before, const char* after) {
  const auto found = json_differences(before, after);
  std::vector<std::string> out;
  for (const JsonDifference& d : found.value()) out.push_back(describe(d));
  return out;
}

TEST(JsonDifferences, NamesEachChangedAddedAndRemovedPlace) {
  EXPECT_THAT(differences(R"({"a": 1})", R"({"a": 1})"), ElementsAre());
  EXPECT_THAT(
      differences(
          R"({"train": {"epochs": 2}, "seed": 1, "gone": true})",
          R"({"train": {"epochs": 3}, "seed": 1, "new": "x"})"),
      ElementsAre(  // the diff's order: the old document's keys first
          "/gone true -> unset",
          "/train/epochs 2 -> 3",
          "/new unset -> \"x\""));
  // Arrays: changed elements by index; an appended one at "/-".
  EXPECT_THAT(
      differences(R"({"l": [1, 2]})", R"({"l": [1, 5, 6]})"),
      ElementsAre("/l/1 2 -> 5", "/l/- unset -> unset"));
  EXPECT_THAT(
      differences(R"({"a~b": {"c/d": 1}})", R"({"a~b": {"c/d": 2}})"),
      ElementsAre("/a~0b/c~1d 1 -> 2"));
}

TEST(JsonDifferences, TextThatIsNotJsonGivesNoList) {
  EXPECT_EQ(json_differences("{", "{}"), std::nullopt);
  EXPECT_EQ(json_differences("{}", "nope"), std::nullopt);
}

}  // namespace
}  // namespace initforge
