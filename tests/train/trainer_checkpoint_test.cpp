// SPDX-License-Identifier: Apache-2.0
// Checkpoint integrity: checksums in every file the trainer writes, the
// previous checkpoint kept beside the latest, a resume that falls back to it
// when the latest is damaged or missing (and still ends bit for bit where an
// uninterrupted run does), and refusals that name the files and change none.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"

#include "tests/train/trainer_test_util.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using testing::checkpoint_tensors;
using testing::expect_same_metrics;
using ::testing::HasSubstr;
using testing::kMlp;
using testing::kSgd;
using testing::kSteps;
using testing::make_config;
using testing::metrics_without_seconds;
using testing::read_raw;
using testing::Recorder;
using testing::run;
using testing::TempDir;
using testing::write_raw;

// Checkpoints every 3 steps: a run stopped after global step 13 holds the
// one of step 12 as the latest and the one of step 9 as the previous.
const std::string kEvery3 = R"(, "checkpoint_every": 3)";

fs::path latest(const TempDir& dir) {
  return dir / "checkpoint/state.safetensors";
}
fs::path previous(const TempDir& dir) {
  return dir / "checkpoint/state.prev.safetensors";
}

std::int64_t global_step(const fs::path& file) {
  const SafetensorsFile f = read_verified_safetensors(file);
  return nlohmann::json::parse(f.metadata.at("initforge.train_state"))
      .at("global_step")
      .get<std::int64_t>();
}

// Flips one bit of the tensor `name`'s data in `file`.
void flip_tensor_bit(const fs::path& file, const std::string& name) {
  const SafetensorsFile f = read_safetensors(file);
  std::string bytes = read_raw(file);
  const auto at = 8 + f.header_length + f.at(name).begin + 5;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x04);
  write_raw(file, bytes);
}

std::string io_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "no IoError";
}

TEST(TrainerCheckpoint, EveryFileCarriesChecksumsAndThePreviousIsKept) {
  const TempDir dir;
  run(make_config(kMlp, kSgd), dir.path());
  for (const fs::path& file :
       {latest(dir), previous(dir), dir / "weights.safetensors"}) {
    SCOPED_TRACE(file.string());
    const SafetensorsFile f = read_verified_safetensors(file);
    const auto crcs = nlohmann::json::parse(f.metadata.at(kChecksumKey));
    EXPECT_EQ(crcs.size(), f.tensors.size() + 1);  // and the metadata
  }
  // Each checkpoint moved to the previous name when the next was written:
  // the latest is the end of epoch 2, the previous the end of epoch 1.
  EXPECT_EQ(global_step(latest(dir)), 2 * kSteps);
  EXPECT_EQ(global_step(previous(dir)), kSteps);
}

struct Damage {
  std::string name;
  std::function<void(const fs::path&)> apply;
  std::string reason;  // in the warning, after the damaged file's name
};

void PrintTo(const Damage& d, std::ostream* os) {
  *os << d.name;
}

class TrainerFallback : public ::testing::TestWithParam<Damage> {};

TEST_P(TrainerFallback, DamagedLatestFallsBackToPreviousAndEndsBitExact) {
  const Damage& damage = GetParam();
  const ModelConfig config = make_config(kMlp, kSgd, kEvery3);
  const TempDir whole, dir;
  run(config, whole.path());
  EXPECT_TRUE(run(config, dir.path(), false, kSteps + 5).stopped_early);
  ASSERT_EQ(global_step(latest(dir)), 12);
  ASSERT_EQ(global_step(previous(dir)), 9);
  const std::string good_previous = read_raw(previous(dir));
  damage.apply(latest(dir));
  const bool exists = fs::exists(latest(dir));
  const std::string damaged = exists ? read_raw(latest(dir)) : "";

  // Resumes from step 9 and stops after step 10: no checkpoint written, so
  // both files are as they were.
  Recorder first;
  EXPECT_TRUE(run(config, dir.path(), true, 10, &first).stopped_early);
  EXPECT_EQ(first.steps, 1);
  ASSERT_EQ(first.warnings.size(), 1u);
  const std::string& warning = first.warnings[0];
  EXPECT_THAT(warning, HasSubstr(latest(dir).string()));
  EXPECT_THAT(warning, HasSubstr(damage.reason));
  EXPECT_THAT(
      warning,
      HasSubstr(
          "resuming from the previous checkpoint " + previous(dir).string() +
          " (global step 9)"));
  EXPECT_EQ(fs::exists(latest(dir)), exists);
  if (exists) {
    EXPECT_EQ(read_raw(latest(dir)), damaged);
  }
  EXPECT_EQ(read_raw(previous(dir)), good_previous);

  // Falls back again and writes step 12's checkpoint over the damaged one;
  // the good previous one is not replaced by it.
  Recorder second;
  EXPECT_TRUE(run(config, dir.path(), true, 13, &second).stopped_early);
  EXPECT_EQ(second.warnings.size(), 1u);
  EXPECT_EQ(second.steps, 4);
  EXPECT_EQ(read_raw(previous(dir)), good_previous);
  EXPECT_EQ(global_step(latest(dir)), 12);

  Recorder last;
  run(config, dir.path(), true, 0, &last);
  EXPECT_TRUE(last.warnings.empty());
  EXPECT_EQ(last.steps, 2 * kSteps - 12);
  EXPECT_EQ(
      read_raw(dir / "weights.safetensors"),
      read_raw(whole / "weights.safetensors"));
  EXPECT_EQ(
      metrics_without_seconds(dir.path()),
      metrics_without_seconds(whole.path()));
  EXPECT_EQ(checkpoint_tensors(dir.path()), checkpoint_tensors(whole.path()));
  EXPECT_EQ(
      checkpoint_tensors(dir.path(), "state.prev.safetensors"),
      checkpoint_tensors(whole.path(), "state.prev.safetensors"));
}

INSTANTIATE_TEST_SUITE_P(
    Trainer,
    TrainerFallback,
    ::testing::Values(
        Damage{
            "FlippedDataBit",
            [](const fs::path& f) { flip_tensor_bit(f, "fc1.weight"); },
            "tensor fc1.weight: checksum mismatch (stored "},
        Damage{
            "FlippedTrainStateBit",
            [](const fs::path& f) {
              // "global_step\":12 -> 13 inside the metadata's JSON text.
              std::string bytes = read_raw(f);
              const auto at = bytes.find("global_step\\\":12");
              ASSERT_NE(at, std::string::npos);
              bytes[at + 15] = static_cast<char>(bytes[at + 15] ^ 0x01);
              write_raw(f, bytes);
            },
            "metadata: checksum mismatch"},
        Damage{
            "Truncated",
            [](const fs::path& f) {
              const std::string bytes = read_raw(f);
              write_raw(f, bytes.substr(0, bytes.size() - 1000));
            },
            ""},  // read_safetensors' own words after the file name
        Damage{
            "Missing",
            [](const fs::path& f) { fs::remove(f); },
            " is missing (the run stopped while the next checkpoint was being "
            "written)"},
        Damage{
            "WithoutChecksums",
            [](const fs::path& f) {
              // As an initforge without checksums wrote it.
              const SafetensorsFile old = read_safetensors(f);
              std::vector<SafetensorsTensor> tensors;
              for (const SafetensorsEntry& e : old.tensors) {
                tensors.push_back(
                    {e.name, e.dtype, e.shape, std::span(e.bytes)});
              }
              auto metadata = old.metadata;
              metadata.erase(kChecksumKey);
              write_safetensors(f, tensors, metadata);
            },
            "without initforge.crc32 checksums"}),
    [](const auto& test) { return test.param.name; });

TEST(TrainerCheckpoint, BothCheckpointsDamagedIsIoErrorNamingBothTouchingNone) {
  const ModelConfig config = make_config(kMlp, kSgd, kEvery3);
  const TempDir dir;
  run(config, dir.path(), false, kSteps + 5);
  flip_tensor_bit(latest(dir), "fc2.bias");
  const std::string prev_bytes = read_raw(previous(dir));
  write_raw(previous(dir), prev_bytes.substr(0, prev_bytes.size() / 2));
  const std::string latest_bytes = read_raw(latest(dir));
  const std::string previous_bytes = read_raw(previous(dir));
  const std::string error = io_error([&] { run(config, dir.path(), true); });
  EXPECT_THAT(error, HasSubstr("no usable checkpoint to resume from"));
  EXPECT_THAT(
      error,
      HasSubstr(latest(dir).string() + ": tensor fc2.bias: checksum mismatch"));
  EXPECT_THAT(error, HasSubstr("the previous one: " + previous(dir).string()));
  EXPECT_EQ(read_raw(latest(dir)), latest_bytes);
  EXPECT_EQ(read_raw(previous(dir)), previous_bytes);
}

TEST(
    TrainerCheckpoint,
    DamagedOnlyCheckpointIsIoErrorSayingNothingToFallBackTo) {
  const ModelConfig config = make_config(kMlp, kSgd);
  const TempDir dir;
  run(config, dir.path(), false, 2);  // only the initial checkpoint
  ASSERT_FALSE(fs::exists(previous(dir)));
  flip_tensor_bit(latest(dir), "fc1.bias");
  const std::string bytes = read_raw(latest(dir));
  const std::string error = io_error([&] { run(config, dir.path(), true); });
  EXPECT_THAT(
      error,
      HasSubstr(latest(dir).string() + ": tensor fc1.bias: checksum mismatch"));
  EXPECT_THAT(
      error,
      HasSubstr(
          "there is no previous checkpoint " + previous(dir).string() +
          " to fall back to"));
  EXPECT_EQ(read_raw(latest(dir)), bytes);
}

TEST(TrainerCheckpoint, FlippedBitInTrainedWeightsIsRefusedNamingTheTensor) {
  const TempDir dir;
  run(make_config(kMlp, kSgd, "", 1), dir.path());
  const fs::path weights = dir / "weights.safetensors";
  flip_tensor_bit(weights, "fc2.weight");
  EXPECT_THAT(
      io_error([&] { read_verified_safetensors(weights); }),
      HasSubstr(weights.string() + ": tensor fc2.weight: checksum mismatch"));
}

}  // namespace
}  // namespace initforge
