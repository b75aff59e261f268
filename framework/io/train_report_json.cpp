// SPDX-License-Identifier: Apache-2.0
#include "framework/io/train_report_json.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/io/json_detail.h"

namespace initforge {
namespace {

using nlohmann::json;

// How a double is written: summary.json uses null for NaN/Inf (plain JSON
// readers), a checkpoint strings that read back to the same value.
enum class NonFinite { Null, Text };

json number(double v, NonFinite mode) {
  if (std::isfinite(v)) return v;
  if (mode == NonFinite::Null) return nullptr;
  return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
}

double read_number(const json& j) {
  if (j.is_number()) return j.get<double>();
  const auto text = j.get<std::string>();
  if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (text == "inf") return std::numeric_limits<double>::infinity();
  if (text == "-inf") return -std::numeric_limits<double>::infinity();
  throw std::invalid_argument(expected_got("a number", "\"" + text + "\""));
}

json to_json(const EpochMetrics& m, NonFinite mode) {
  return {
      {"epoch", m.epoch},
      {"train_loss", number(m.train_loss, mode)},
      {"train_acc", number(m.train_acc, mode)},
      {"test_loss", number(m.test_loss, mode)},
      {"test_acc", number(m.test_acc, mode)},
      {"seconds", number(m.seconds, mode)},
      {"lr", number(m.lr, mode)}};
}

json to_json(const EpochTimes& t, NonFinite mode) {
  return {
      {"epoch", t.epoch},
      {"train_seconds", number(t.train, mode)},
      {"eval_seconds", number(t.eval, mode)},
      {"probe_seconds", number(t.probe, mode)}};
}

json to_json(const ProbeStats& p, NonFinite mode) {
  json layers = json::array();
  for (const LayerProbe& l : p.layers) {
    layers.push_back(
        {{"name", l.layer},
         {"type", l.type},
         {"activation_std", number(l.activation_std, mode)},
         {"activation_mean", number(l.activation_mean, mode)},
         {"grad_std", number(l.grad_std, mode)}});
  }
  json params = json::array();
  for (const ParamProbe& q : p.params) {
    params.push_back(
        {{"path", q.path},
         {"value_std", number(q.value_std, mode)},
         {"grad_std", number(q.grad_std, mode)}});
  }
  return {
      {"epoch", p.epoch},
      {"loss", number(p.loss, mode)},
      {"layers", std::move(layers)},
      {"params", std::move(params)}};
}

template <class T>
json array_of(const std::vector<T>& items, NonFinite mode) {
  json out = json::array();
  for (const T& item : items) out.push_back(to_json(item, mode));
  return out;
}

EpochMetrics metrics_from(const json& j) {
  return {
      .epoch = j.at("epoch").get<std::int64_t>(),
      .train_loss = read_number(j.at("train_loss")),
      .train_acc = read_number(j.at("train_acc")),
      .test_loss = read_number(j.at("test_loss")),
      .test_acc = read_number(j.at("test_acc")),
      .seconds = read_number(j.at("seconds")),
      .lr = read_number(j.at("lr"))};
}

EpochTimes times_from(const json& j) {
  return {
      .epoch = j.at("epoch").get<std::int64_t>(),
      .train = read_number(j.at("train_seconds")),
      .eval = read_number(j.at("eval_seconds")),
      .probe = read_number(j.at("probe_seconds"))};
}

ProbeStats probe_from(const json& j) {
  ProbeStats p;
  p.epoch = j.at("epoch").get<std::int64_t>();
  p.loss = read_number(j.at("loss"));
  for (const json& l : j.at("layers")) {
    p.layers.push_back(
        {.layer = l.at("name").get<std::string>(),
         .type = l.at("type").get<std::string>(),
         .activation_std = read_number(l.at("activation_std")),
         .activation_mean = read_number(l.at("activation_mean")),
         .grad_std = read_number(l.at("grad_std"))});
  }
  for (const json& q : j.at("params")) {
    p.params.push_back(
        {.path = q.at("path").get<std::string>(),
         .value_std = read_number(q.at("value_std")),
         .grad_std = read_number(q.at("grad_std"))});
  }
  return p;
}

}  // namespace

std::string train_summary_json(const TrainSummary& s) {
  constexpr NonFinite kMode = NonFinite::Null;
  const TrainState& st = s.state;
  // The config text came from the config parser; an unparsable one (a
  // config built in code) is kept as a string.
  json config = json::parse(s.config_json, nullptr, false);
  if (config.is_discarded()) config = s.config_json;
  const json out = {
      {"format", "initforge.train_summary/1"},
      {"model", st.model},
      {"config_file", s.config_file},
      {"config_hash", st.config_hash},
      {"config", std::move(config)},
      {"seed", s.seed},
      {"rng", s.rng},
      {"versions",
       {{"initforge", s.versions.initforge},
        {"onednn", s.versions.onednn},
        {"compiler", s.versions.compiler}}},
      {"threads", s.threads},
      {"dataset",
       {{"dir", s.dataset_dir},
        {"train_samples", s.train_samples},
        {"test_samples", s.test_samples}}},
      {"epochs_planned", s.epochs},
      {"steps_per_epoch", s.steps_per_epoch},
      {"status", s.status},
      {"error", s.error.empty() ? json(nullptr) : json(s.error)},
      {"epochs_done", st.epochs_done},
      {"global_step", st.global_step},
      {"sessions", st.sessions},
      {"wall_times",
       {{"total_seconds", number(st.total_seconds, kMode)},
        {"data_loading_seconds", number(st.data_seconds, kMode)},
        {"epochs", array_of(st.times, kMode)}}},
      {"calibration", s.calibration},
      {"metrics", array_of(st.metrics, kMode)},
      {"probes", array_of(st.probes, kMode)}};
  return detail::dump_text(out, 2) + "\n";
}

RecordedSummary parse_train_summary(
    std::string_view text, const std::string& where) {
  // Lenient on numbers: summary.json writes non-finite ones as null.
  const auto number = [](const json& v) {
    return v.is_number() ? v.get<double>() : std::nan("");
  };
  try {
    const json doc = json::parse(text);
    RecordedSummary out;
    out.status = doc.at("status").get<std::string>();
    if (doc.at("error").is_string())
      out.error = doc["error"].get<std::string>();
    out.config_json = doc.at("config").dump();
    for (const json& m : doc.at("metrics")) {
      out.metrics.push_back(
          {.epoch = m.at("epoch").get<std::int64_t>(),
           .train_loss = number(m.at("train_loss")),
           .train_acc = number(m.at("train_acc")),
           .test_loss = number(m.at("test_loss")),
           .test_acc = number(m.at("test_acc")),
           .seconds = number(m.at("seconds")),
           .lr = number(m.value("lr", json()))});
    }
    return out;
  } catch (const json::exception& e) {
    throw IoError(
        where + ": not a training summary of initforge train: " + e.what());
  }
}

std::string train_state_json(const TrainState& st) {
  constexpr NonFinite kMode = NonFinite::Text;
  const json out = {
      {"format", "initforge.train_state/1"},
      {"config_hash", st.config_hash},
      {"model", st.model},
      {"epochs_done", st.epochs_done},
      {"step", st.step},
      {"global_step", st.global_step},
      {"loss_sum", number(st.loss_sum, kMode)},
      {"correct", st.correct},
      {"samples", st.samples},
      {"epoch_train_seconds", number(st.epoch_train_seconds, kMode)},
      {"total_seconds", number(st.total_seconds, kMode)},
      {"data_seconds", number(st.data_seconds, kMode)},
      {"sessions", st.sessions},
      {"metrics", array_of(st.metrics, kMode)},
      {"times", array_of(st.times, kMode)},
      {"probes", array_of(st.probes, kMode)}};
  return out.dump();
}

TrainState parse_train_state(std::string_view text, const std::string& where) {
  TrainState st;
  try {
    const json j = json::parse(text);
    if (j.value("format", "") != "initforge.train_state/1") {
      throw std::invalid_argument(
          "expected format \"initforge.train_state/1\"");
    }
    st.config_hash = j.at("config_hash").get<std::string>();
    st.model = j.at("model").get<std::string>();
    st.epochs_done = j.at("epochs_done").get<std::int64_t>();
    st.step = j.at("step").get<std::int64_t>();
    st.global_step = j.at("global_step").get<std::int64_t>();
    st.loss_sum = read_number(j.at("loss_sum"));
    st.correct = j.at("correct").get<std::int64_t>();
    st.samples = j.at("samples").get<std::int64_t>();
    st.epoch_train_seconds = read_number(j.at("epoch_train_seconds"));
    st.total_seconds = read_number(j.at("total_seconds"));
    st.data_seconds = read_number(j.at("data_seconds"));
    st.sessions = j.at("sessions").get<std::int64_t>();
    for (const json& m : j.at("metrics")) st.metrics.push_back(metrics_from(m));
    for (const json& t : j.at("times")) st.times.push_back(times_from(t));
    for (const json& p : j.at("probes")) st.probes.push_back(probe_from(p));
  } catch (const std::exception& e) {
    throw IoError(where + ": malformed training state: " + e.what());
  }
  if (st.epochs_done < 0 || st.step < 0 || st.global_step < 0 ||
      st.samples < 0) {
    throw IoError(where + ": malformed training state: negative counters");
  }
  return st;
}

}  // namespace initforge
