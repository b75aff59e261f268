// SPDX-License-Identifier: Apache-2.0
#include "framework/model/dataset_parser.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace initforge {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 7> kIdxKeys{
    "name", "dir", "mean", "std", "normalize", "train_subset", "test_subset"};
constexpr std::array<std::string_view, 5> kCifarKeys{
    "name", "dir", "normalize", "train_subset", "test_subset"};
constexpr std::array<std::string_view, 6> kNpyKeys{
    "name", "train", "test", "normalize", "train_subset", "test_subset"};

struct Kind {
  std::string_view name;
  DatasetKind kind;
  std::span<const std::string_view> keys;
  int channels;                     // 0: known only from the data (npy)
  std::array<double, 3> mean, std;  // the default statistics, per channel
};

// CIFAR-10's training-set per-channel mean and std of x/255.
constexpr std::array<Kind, 4> kKinds{
    Kind{
        "fashion-mnist",
        DatasetKind::FashionMnist,
        kIdxKeys,
        1,
        {0.2860},
        {0.3530}},
    Kind{"mnist", DatasetKind::Mnist, kIdxKeys, 1, {0.1307}, {0.3081}},
    Kind{
        "cifar10",
        DatasetKind::Cifar10,
        kCifarKeys,
        3,
        {0.4914, 0.4822, 0.4465},
        {0.2470, 0.2435, 0.2616}},
    Kind{"npy", DatasetKind::Npy, kNpyKeys, 0, {}, {}}};

std::string join(std::span<const std::string_view> items) {
  std::string out;
  for (const std::string_view s : items) {
    out += (out.empty() ? "" : ", ") + std::string(s);
  }
  return out;
}

const Kind& parse_name(const JsonCursor& c) {
  std::vector<std::string_view> names;
  for (const Kind& k : kKinds) names.push_back(k.name);
  const auto name = c.find("name");
  if (!name) return kKinds[0];
  for (const Kind& k : kKinds) {
    if (name->json() == k.name) return k;
  }
  name->expected("one of " + join(names));
}

// A key of another dataset: names which datasets take it.
void check_applicable_keys(const JsonCursor& c, const Kind& mine) {
  for (const auto& item : c.json().items()) {
    const std::string& key = item.key();
    if (std::find(mine.keys.begin(), mine.keys.end(), key) != mine.keys.end()) {
      continue;
    }
    std::vector<std::string_view> owners;
    for (const Kind& k : kKinds) {
      if (std::find(k.keys.begin(), k.keys.end(), key) != k.keys.end()) {
        owners.push_back(k.name);
      }
    }
    c.find(key)->fail(
        "\"" + key + "\" does not apply to dataset \"" +
        std::string(mine.name) + "\" (only to " + join(owners) + "); " +
        std::string(mine.name) + " takes " + join(mine.keys));
  }
}

fs::path resolve(const JsonCursor& c, const fs::path& base_dir) {
  const fs::path given(c.non_empty_string());
  return (given.is_absolute() ? given : base_dir / given).lexically_normal();
}

NpySplitFiles parse_npy_split(const JsonCursor& c, const fs::path& base_dir) {
  constexpr std::array<std::string_view, 2> kKeys{"x", "y"};
  c.expect_object("an object {\"x\": \"x.npy\", \"y\": \"y.npy\"}");
  c.check_keys(kKeys, "an npy split");
  return {
      .x = resolve(c.require("x", "the .npy file of the samples"), base_dir),
      .y = resolve(c.require("y", "the .npy file of the labels"), base_dir)};
}

// One or `channels` values (any count when channels is 0), each `ok`.
template <typename Pred>
std::vector<double> per_channel(
    const JsonCursor& c, int channels, Pred ok, std::string_view what) {
  const std::string count =
      channels > 1    ? "1 or " + std::to_string(channels) + " numbers"
      : channels == 1 ? "1 number"
                      : "1 or more numbers";
  const std::string want = "an array of " + count + " (one per channel)";
  if (!c.json().is_array() || c.size() == 0) c.expected(want);
  if (channels > 0 && c.size() != 1 &&
      c.size() != static_cast<std::size_t>(channels)) {
    c.expected(want);
  }
  std::vector<double> out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    out.push_back(c.at(i).number_if(ok, what));
  }
  return out;
}

void parse_normalize(const JsonCursor& c, const Kind& kind, DatasetConfig& d) {
  constexpr std::array<std::string_view, 2> kKeys{"mean", "std"};
  c.expect_object("an object {\"mean\": [...], \"std\": [...]}");
  c.check_keys(kKeys, "normalize");
  d.mean = per_channel(
      c.require("mean", "one number per channel"),
      kind.channels,
      [](double) { return true; },
      "a number");
  d.std = per_channel(
      c.require("std", "one number per channel"),
      kind.channels,
      [](double v) { return v > 0; },
      "a number > 0");
  d.normalize_pointer = c.pointer();
}

}  // namespace

DatasetConfig parse_dataset(const JsonCursor& c, const fs::path& base_dir) {
  DatasetConfig d;
  d.pointer = c.pointer();
  d.normalize_pointer = c.pointer();
  c.expect_object(
      "an object {\"name\": \"fashion-mnist\", \"mnist\", \"cifar10\" or "
      "\"npy\", ...}");
  std::vector<std::string_view> all;
  for (const Kind& k : kKinds) {
    for (const std::string_view key : k.keys) {
      if (std::find(all.begin(), all.end(), key) == all.end()) {
        all.push_back(key);
      }
    }
  }
  // Unknown keys first: a misspelled "name" deserves a "did you mean".
  c.check_keys(all, "the dataset");
  const Kind& kind = parse_name(c);
  check_applicable_keys(c, kind);
  d.name = std::string(kind.name);
  d.kind = kind.kind;
  d.mean.assign(kind.mean.begin(), kind.mean.begin() + kind.channels);
  d.std.assign(kind.std.begin(), kind.std.begin() + kind.channels);

  if (const auto dir = c.find("dir")) {
    d.dir = resolve(*dir, base_dir);
  } else if (kind.kind == DatasetKind::Mnist) {
    // Debian packages only Fashion-MNIST: MNIST has no default location.
    c.require(
        "dir",
        "the directory of MNIST's four IDX .gz files; it has no default");
  } else if (kind.kind == DatasetKind::Cifar10) {
    c.require(
        "dir",
        "the directory of CIFAR-10's binary batches (data_batch_1.bin .. "
        "data_batch_5.bin, test_batch.bin); it has no default");
  }
  if (kind.kind == DatasetKind::Npy) {
    d.dir.clear();
    d.train_files = parse_npy_split(
        c.require("train", "an object {\"x\": \"x.npy\", \"y\": \"y.npy\"}"),
        base_dir);
    d.test_files = parse_npy_split(
        c.require("test", "an object {\"x\": \"x.npy\", \"y\": \"y.npy\"}"),
        base_dir);
  }

  const auto mean = c.find("mean");
  const auto sd = c.find("std");
  if (const auto normalize = c.find("normalize")) {
    if (mean || sd) {
      (mean ? *mean : *sd)
          .fail(
              "give the statistics either as \"normalize\" or as \"mean\" "
              "and \"std\", not both");
    }
    parse_normalize(*normalize, kind, d);
  }
  if (mean) {
    d.mean = {mean->number()};
    d.normalize_pointer = c.pointer();
  }
  if (sd) {
    d.std = {sd->number_if([](double v) { return v > 0; }, "a number > 0")};
  }
  if (const auto n = c.find("train_subset")) d.train_subset = n->positive();
  if (const auto n = c.find("test_subset")) d.test_subset = n->positive();
  return d;
}

}  // namespace initforge
