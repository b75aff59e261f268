// SPDX-License-Identifier: Apache-2.0
#include "framework/model/train_parser.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "framework/core/error_text.h"
#include "framework/model/augment_parser.h"
#include "framework/model/dataset_parser.h"
#include "framework/model/typed_section.h"

namespace initforge {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 12> kTrainKeys{
    "dataset",
    "augment",
    "epochs",
    "batch_size",
    "loss",
    "optimizer",
    "lr_schedule",
    "shuffle",
    "drop_last",
    "eval_batch_size",
    "checkpoint_every",
    "probe_batch"};

constexpr std::array<std::string_view, 0> kNoKeys{};
constexpr std::array<std::string_view, 2> kStepKeys{"step_size", "gamma"};
constexpr std::array<std::string_view, 2> kCosineKeys{"t_max", "eta_min"};
constexpr std::array<TypeKeys, 3> kSchedules{
    TypeKeys{"constant", kNoKeys},
    TypeKeys{"step", kStepKeys},
    TypeKeys{"cosine", kCosineKeys}};

LossKind parse_loss(const JsonCursor& c) {
  if (c.json() == "cross_entropy") return LossKind::CrossEntropy;
  if (c.json() == "mse") return LossKind::Mse;
  c.expected("one of cross_entropy, mse");
}

ScheduleConfig parse_schedule(const JsonCursor& c, std::int64_t epochs) {
  ScheduleConfig s;
  s.pointer = c.pointer();
  s.t_max = epochs;
  const std::size_t type =
      parse_typed_section(c, kSchedules, "the learning-rate schedule");
  s.kind = type == 0   ? ScheduleKind::Constant
           : type == 1 ? ScheduleKind::Step
                       : ScheduleKind::Cosine;
  if (s.kind == ScheduleKind::Step) {
    s.step_size =
        c.require("step_size", "epochs between decays (StepLR)").positive();
    if (const auto gamma = c.find("gamma")) {
      s.gamma =
          gamma->number_if([](double v) { return v > 0; }, "a number > 0");
    }
  }
  if (s.kind == ScheduleKind::Cosine) {
    if (const auto t = c.find("t_max")) s.t_max = t->positive();
    if (const auto eta = c.find("eta_min")) {
      s.eta_min =
          eta->number_if([](double v) { return v >= 0; }, "a number >= 0");
    }
  }
  return s;
}

// What only the whole section can tell: sizes against the training subset.
void check_against_subset(const JsonCursor& c, TrainConfig& t) {
  const auto subset = t.dataset.train_subset;
  const auto probe = c.find("probe_batch");
  if (!subset) return;
  if (!probe) {
    t.probe_batch = std::min(t.probe_batch, *subset);
  } else if (t.probe_batch > *subset) {
    probe->fail(expected_got(
        "at most train_subset (" + std::to_string(*subset) +
            ") samples: the probe batch is the first training samples",
        std::to_string(t.probe_batch)));
  }
  if (t.drop_last && t.batch_size > *subset) {
    c.find("drop_last")
        ->fail(
            "with batch_size " + std::to_string(t.batch_size) +
            " larger than train_subset " + std::to_string(*subset) +
            ", drop_last would leave no batch to train on");
  }
}

}  // namespace

TrainConfig parse_train(const JsonCursor& c, const fs::path& base_dir) {
  TrainConfig t;
  t.pointer = c.pointer();
  c.expect_object("an object {\"epochs\": N, \"optimizer\": {...}, ...}");
  c.check_keys(kTrainKeys, "the train section");
  if (const auto d = c.find("dataset")) t.dataset = parse_dataset(*d, base_dir);
  if (const auto a = c.find("augment")) t.augment = parse_augment(*a);
  t.epochs = c.require("epochs", "a positive integer").positive();
  if (const auto b = c.find("batch_size")) t.batch_size = b->positive();
  if (const auto loss = c.find("loss")) t.loss = parse_loss(*loss);
  t.optimizer = parse_optimizer(c.require(
      "optimizer", "an object {\"type\": \"sgd\", \"lr\": 0.1, ...}"));
  t.schedule.t_max = t.epochs;
  if (const auto s = c.find("lr_schedule")) {
    t.schedule = parse_schedule(*s, t.epochs);
  }
  if (const auto s = c.find("shuffle")) t.shuffle = s->boolean();
  if (const auto d = c.find("drop_last")) t.drop_last = d->boolean();
  if (const auto e = c.find("eval_batch_size"))
    t.eval_batch_size = e->positive();
  if (const auto k = c.find("checkpoint_every")) {
    t.checkpoint_every = k->non_negative();
  }
  if (const auto p = c.find("probe_batch")) t.probe_batch = p->positive();
  check_against_subset(c, t);
  return t;
}

}  // namespace initforge
