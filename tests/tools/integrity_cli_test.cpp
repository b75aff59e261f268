// SPDX-License-Identifier: Apache-2.0
// Damaged files through the real binary: `train --resume` falls back to the
// previous checkpoint with a warning (and ends where an uninterrupted run
// does) or, with both damaged, exits 2 naming them; `verify` checks
// checkpoints and --save-weights files. No damaged file is ever changed.
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/io/safetensors.h"
#include "framework/io/tensor_checksums.h"

#include "tests/testing/safetensors_bytes.h"
#include "tests/tools/model_cli_util.h"
#include "tests/tools/run_cli.h"
#include "tests/tools/train_cli_util.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using namespace testing;  // initforge::testing: train_cli_util.h
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Flips one bit in the data of tensor `name`.
void flip_tensor_bit(const fs::path& file, const std::string& name) {
  const SafetensorsFile f = read_safetensors(file);
  std::string bytes = read_text(file);
  const auto at = 8 + f.header_length + f.at(name).begin + 2;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x40);
  write_bytes(file, bytes);
}

// Rewrites `file` so that the second of the first two tensors (in data
// order) with the same dtype and shape takes the first's data_offsets, with
// checksums of the bytes it then reads: only the layout rule (tensors
// contiguous, no overlaps) can tell. Returns the two names.
std::pair<std::string, std::string> repeat_offsets(const fs::path& file) {
  const SafetensorsFile f = read_safetensors(file);
  const SafetensorsEntry *first = nullptr, *second = nullptr;
  for (std::size_t i = 0; i < f.tensors.size() && !second; ++i) {
    for (std::size_t j = i + 1; j < f.tensors.size() && !second; ++j) {
      if (f.tensors[i].dtype == f.tensors[j].dtype &&
          f.tensors[i].shape == f.tensors[j].shape) {
        first = &f.tensors[i];
        second = &f.tensors[j];
      }
    }
  }
  if (!second) {
    ADD_FAILURE() << file << ": no two tensors of the same shape";
    return {};
  }
  std::vector<SafetensorsTensor> tensors;
  json header = json::object();
  for (const SafetensorsEntry& e : f.tensors) {
    const SafetensorsEntry& read = &e == second ? *first : e;
    tensors.push_back({e.name, e.dtype, e.shape, std::span(read.bytes)});
    header[e.name] = {
        {"dtype", e.dtype},
        {"shape", e.shape},
        {"data_offsets", {read.begin, read.end}}};
  }
  auto metadata = f.metadata;
  metadata.erase(kChecksumKey);
  header["__metadata__"] = with_checksums(tensors, metadata);
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const std::string bytes = read_text(file);
  write_bytes(
      file,
      testing::safetensors_bytes(text, bytes.substr(8 + f.header_length)));
  return {first->name, second->name};
}

class IntegrityCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!dataset_installed()) GTEST_SKIP() << "no " << kDatasetDir;
  }
  TempDir tmp_;
};

TEST_F(IntegrityCli, DamagedLatestCheckpointFallsBackWithAWarning) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path whole = tmp_ / "whole", cut = tmp_ / "cut";
  ASSERT_EQ(train_cli({config.string(), "--out", whole.string()}).exit_code, 0);
  // Stopped in epoch 2: the latest checkpoint is epoch 1's end, the previous
  // one the initial.
  ASSERT_EQ(
      train_cli(
          {config.string(), "--out", cut.string(), "--stop-after-steps", "11"})
          .exit_code,
      0);
  const fs::path latest = cut / "checkpoint/state.safetensors";
  const fs::path previous = cut / "checkpoint/state.prev.safetensors";
  ASSERT_TRUE(fs::exists(previous));
  flip_tensor_bit(latest, "fc1.weight");

  const CliResult r = train_cli({config.string(), "--resume", cut.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.err,
      MatchesRegex(
          "warning: " + latest.string() +
          ": tensor fc1.weight: checksum mismatch \\(stored [0-9a-f]{8}, "
          "computed [0-9a-f]{8}\\): the file is corrupt; resuming from the "
          "previous checkpoint " +
          previous.string() +
          " \\(global step 0\\) and training the steps since again\n"));
  EXPECT_THAT(r.out, HasSubstr("epoch 1/2"));  // trained again
  EXPECT_EQ(
      without_seconds(read_text(cut / "metrics.csv")),
      without_seconds(read_text(whole / "metrics.csv")));
  EXPECT_EQ(
      read_text(cut / "weights.safetensors"),
      read_text(whole / "weights.safetensors"));
}

TEST_F(IntegrityCli, BothCheckpointsDamagedIsExit2NamingBothTouchingNeither) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path cut = tmp_ / "cut";
  ASSERT_EQ(
      train_cli(
          {config.string(), "--out", cut.string(), "--stop-after-steps", "11"})
          .exit_code,
      0);
  const fs::path latest = cut / "checkpoint/state.safetensors";
  const fs::path previous = cut / "checkpoint/state.prev.safetensors";
  flip_tensor_bit(latest, "fc2.weight");
  flip_tensor_bit(previous, "fc1.bias");
  const std::string latest_bytes = read_text(latest);
  const std::string previous_bytes = read_text(previous);
  const std::string metrics = read_text(cut / "metrics.csv");

  const CliResult r = train_cli({config.string(), "--resume", cut.string()});
  EXPECT_EQ(r.exit_code, 2);
  const std::string line = error_line(r);
  EXPECT_THAT(line, HasSubstr("no usable checkpoint to resume from"));
  EXPECT_THAT(
      line, HasSubstr(latest.string() + ": tensor fc2.weight: checksum"));
  EXPECT_THAT(
      line, HasSubstr(previous.string() + ": tensor fc1.bias: checksum"));
  EXPECT_EQ(read_text(latest), latest_bytes);
  EXPECT_EQ(read_text(previous), previous_bytes);
  EXPECT_EQ(read_text(cut / "metrics.csv"), metrics);
}

// Issue 10's case: the latest checkpoint's second tensor repeats the
// first's data_offsets (same shape, matching checksums). Resume refuses it
// (exit 2, naming the file and both tensors) instead of training on from
// the wrong values, and leaves it as it was; so does `verify`.
TEST_F(IntegrityCli, TensorRepeatingAnothersOffsetsIsRefusedByResumeAndVerify) {
  const fs::path config = tmp_.write("tiny.json", tiny_config());
  const fs::path cut = tmp_ / "cut";
  ASSERT_EQ(
      train_cli(
          {config.string(), "--out", cut.string(), "--stop-after-steps", "11"})
          .exit_code,
      0);
  const fs::path latest = cut / "checkpoint/state.safetensors";
  // Nothing to fall back to: the damaged checkpoint is the only one.
  fs::remove(cut / "checkpoint/state.prev.safetensors");
  const auto [first, second] = repeat_offsets(latest);
  ASSERT_FALSE(second.empty());
  const std::string bytes = read_text(latest);
  const std::string metrics = read_text(cut / "metrics.csv");

  const CliResult r = train_cli({config.string(), "--resume", cut.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string line = error_line(r);
  EXPECT_THAT(line, StartsWith("error: " + latest.string() + ": tensor \""));
  EXPECT_THAT(line, HasSubstr("\"" + first + "\""));
  EXPECT_THAT(line, HasSubstr("\"" + second + "\""));
  EXPECT_THAT(line, HasSubstr("overlap"));
  EXPECT_EQ(read_text(latest), bytes);
  EXPECT_EQ(read_text(cut / "metrics.csv"), metrics);

  const CliResult v = run_cli({"verify", latest.string()});
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_THAT(
      error_line(v), StartsWith("error: " + latest.string() + ": tensor \""));
  EXPECT_THAT(v.err, HasSubstr("overlap"));
  EXPECT_EQ(read_text(latest), bytes);
}

// `initforge run --save-weights` writes a file `verify` accepts; a flipped
// bit or a cut-off file is exit 2 naming the file (and the tensor).
TEST(VerifyCli, ChecksSaveWeightsFilesAndRefusesDamagedOnes) {
  const TempDir tmp;
  const fs::path config = tmp.write("tiny.json", tiny_config());
  const fs::path weights = tmp / "w.safetensors";
  const CliResult saved = run_cli(
      {"run",
       config.string(),
       "--batch",
       "2",
       "--save-weights",
       weights.string()});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  const CliResult ok = run_cli({"verify", weights.string()});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(
      ok.out, "ok: " + weights.string() + ": 4 tensors, checksums match\n");

  const fs::path flipped = tmp / "flipped.safetensors";
  fs::copy_file(weights, flipped);
  flip_tensor_bit(flipped, "fc2.bias");
  const std::string flipped_bytes = read_text(flipped);
  const CliResult bad = run_cli({"verify", flipped.string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(
      error_line(bad),
      StartsWith(
          "error: " + flipped.string() +
          ": tensor fc2.bias: checksum mismatch (stored "));
  EXPECT_EQ(read_text(flipped), flipped_bytes);

  const fs::path cut = tmp / "cut.safetensors";
  const std::string whole = read_text(weights);
  write_bytes(cut, whole.substr(0, whole.size() - 7));
  const CliResult truncated = run_cli({"verify", cut.string()});
  EXPECT_EQ(truncated.exit_code, 2);
  EXPECT_THAT(
      error_line(truncated), StartsWith("error: " + cut.string() + ": "));
  EXPECT_EQ(read_text(cut), whole.substr(0, whole.size() - 7));

  // Every file is checked; the good one still gets its line.
  const CliResult both =
      run_cli({"verify", flipped.string(), weights.string()});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.out, HasSubstr("ok: " + weights.string()));
  EXPECT_THAT(both.err, HasSubstr("error: " + flipped.string()));
}

TEST(VerifyCli, FileWithoutChecksumsFromAnotherToolIsReadUnverified) {
  // What safetensors.torch.save_file writes: {"format": "pt"}, no checksums.
  const TempDir tmp;
  std::string header =
      R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],)"
      R"("data_offsets":[0,8]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(header.size());
  bytes += header + std::string(8, '\x01');
  const fs::path file = tmp / "torch.safetensors";
  write_bytes(file, bytes);
  const CliResult r = run_cli({"verify", file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "ok: " + file.string() +
          ": 1 tensor, no checksums to verify (not written by initforge)\n");
}

}  // namespace
}  // namespace initforge
