// SPDX-License-Identifier: Apache-2.0
// Per-tensor checksums: what is written, that every single flipped bit of a
// file is refused naming the file (and the tensor, in its data), and the
// rules for files without checksums.
#include "framework/io/tensor_checksums.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"

#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

using initforge::testing::TempDir;

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The CRC-32 check value: crc32("123456789") = cbf43926 (zlib, Python's
// zlib.crc32 and every CRC-32/ISO-HDLC implementation agree on it).
const std::string kCheckText = "123456789";

SafetensorsTensor check_tensor() {
  return {
      "check",
      "U8",
      {9},
      std::as_bytes(std::span(kCheckText.data(), kCheckText.size()))};
}

// Three tensors (F32 matrix, I64 scalar, U8 vector) and metadata as a
// checkpoint has: enough to reach every kind of header field.
struct Sample {
  std::vector<float> weight = {0.5f, -1.25f, 3.0f, 1e-3f, 7.0f, -0.0f};
  std::int64_t count = 42;
  std::vector<SafetensorsTensor> tensors() const {
    return {
        {"fc1.weight", "F32", {2, 3}, std::as_bytes(std::span(weight))},
        SafetensorsTensor::i64("bn.num_batches_tracked", {}, {&count, 1}),
        check_tensor()};
  }
  std::map<std::string, std::string> metadata() const {
    return {
        {"format", "pt"},
        {"initforge.train_state", R"({"epochs_done":1,"loss_sum":0.25})"}};
  }
  void write(const fs::path& path) const {
    write_checksummed_safetensors(path, tensors(), metadata());
  }
};

std::string verify_error(const fs::path& path) {
  try {
    read_verified_safetensors(path);
  } catch (const IoError& e) {
    return e.what();
  }
  return "no error";
}

// Header length, header and data offset of a safetensors file's bytes.
std::size_t data_start(const std::string& bytes) {
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) {
    n = n << 8 | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  }
  return 8 + static_cast<std::size_t>(n);
}

TEST(TensorChecksums, WrittenFileHoldsOneCrcPerTensorAndTheMetadata) {
  const TempDir dir;
  const Sample sample;
  sample.write(dir / "s.safetensors");
  const SafetensorsFile file = read_verified_safetensors(dir / "s.safetensors");
  EXPECT_EQ(file.metadata.at("format"), "pt");
  const json crcs = json::parse(file.metadata.at(kChecksumKey));
  EXPECT_EQ(crcs.size(), 4u);  // three tensors and the metadata
  EXPECT_EQ(crcs.at("check"), "cbf43926");
  for (const char* name :
       {"fc1.weight", "bn.num_batches_tracked", "__metadata__"}) {
    EXPECT_THAT(
        crcs.at(name).get<std::string>(),
        ::testing::MatchesRegex("[0-9a-f]{8}"))
        << name;
  }
  // The metadata entry covers the other keys: another value, another CRC.
  std::map<std::string, std::string> other = sample.metadata();
  other["format"] = "np";
  const std::vector<SafetensorsTensor> none;
  EXPECT_NE(
      json::parse(with_checksums(none, other).at(kChecksumKey))
          .at("__metadata__"),
      json::parse(with_checksums(none, sample.metadata()).at(kChecksumKey))
          .at("__metadata__"));
  EXPECT_THROW(with_checksums(none, {{kChecksumKey, "{}"}}), InvalidArgument);
}

// Overwrites byte `at` of `path` in place (no truncation: quick on ext4).
void patch_byte(const fs::path& path, std::size_t at, char value) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(at));
  f.put(value);
}

bool same_content(const SafetensorsFile& a, const SafetensorsFile& b) {
  if (a.metadata != b.metadata || a.tensors.size() != b.tensors.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    const SafetensorsEntry &x = a.tensors[i], &y = b.tensors[i];
    if (x.name != y.name || x.dtype != y.dtype || x.shape != y.shape ||
        x.bytes != y.bytes) {
      return false;
    }
  }
  return true;
}

TEST(TensorChecksums, EverySingleFlippedBitIsRefusedOrChangesNothing) {
  const TempDir dir;
  const fs::path good = dir / "good.safetensors";
  Sample().write(good);
  const std::string bytes = read_bytes(good);
  const std::size_t data = data_start(bytes);
  const std::size_t json_end = bytes.find_last_of('}', data) + 1;
  const SafetensorsFile original = read_verified_safetensors(good);
  const fs::path bad = dir / "bad.safetensors";
  write_bytes(bad, bytes);
  int refused = 0, harmless = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      SCOPED_TRACE("byte " + std::to_string(i) + " bit " + std::to_string(bit));
      patch_byte(bad, i, static_cast<char>(bytes[i] ^ (1 << bit)));
      try {
        const SafetensorsFile read = read_verified_safetensors(bad);
        // Accepted only where the flip carries no information: a space of
        // the header's padding turned NUL (the JSON parser stops there).
        EXPECT_GE(i, json_end);
        EXPECT_LT(i, data);
        EXPECT_TRUE(same_content(read, original));
        ++harmless;
      } catch (const IoError& e) {
        ASSERT_THAT(e.what(), HasSubstr(bad.string()));
        if (i >= data) {
          // In the data: the message names the tensor whose bytes changed.
          const auto offset = static_cast<std::int64_t>(i - data);
          for (const SafetensorsEntry& t : original.tensors) {
            if (offset >= t.begin && offset < t.end) {
              ASSERT_THAT(
                  e.what(), HasSubstr("tensor " + t.name + ": checksum"));
            }
          }
        }
        ++refused;
      }
      patch_byte(bad, i, bytes[i]);
    }
  }
  EXPECT_EQ(refused + harmless, static_cast<int>(bytes.size() * 8));
  EXPECT_LE(harmless, static_cast<int>(data - json_end));
  EXPECT_EQ(verify_error(bad), "no error");
}

TEST(TensorChecksums, MismatchNamesTensorStoredAndComputedValues) {
  const TempDir dir;
  const fs::path path = dir / "s.safetensors";
  Sample().write(path);
  std::string bytes = read_bytes(path);
  const auto begin = read_safetensors(path).at("fc1.weight").begin;
  bytes[data_start(bytes) + static_cast<std::size_t>(begin) + 1] ^= 0x10;
  write_bytes(path, bytes);
  const std::string error = verify_error(path);
  EXPECT_THAT(
      error,
      ::testing::MatchesRegex(
          ".*s.safetensors: tensor fc1.weight: checksum mismatch \\(stored "
          "[0-9a-f]{8}, computed [0-9a-f]{8}\\): the file is corrupt"));
  // Reading does not change the file.
  EXPECT_EQ(read_bytes(path), bytes);
  // The unverified reader still reads it: the layout is intact.
  EXPECT_NO_THROW(read_safetensors(path));
}

TEST(TensorChecksums, MissingExtraOrMalformedEntriesAreRefused) {
  const TempDir dir;
  const Sample sample;
  const auto tensors = sample.tensors();
  const auto metadata = with_checksums(tensors, sample.metadata());
  json crcs = json::parse(metadata.at(kChecksumKey));
  struct Case {
    std::string name;
    json crcs;
    std::string expected;
  };
  json missing = crcs;
  missing.erase("fc1.weight");
  json extra = crcs;
  extra["fc9.bias"] = "00000000";
  json no_meta = crcs;
  no_meta.erase("__metadata__");
  json upper = crcs;
  upper["check"] = "CBF43926";
  const std::vector<Case> cases = {
      {"missing", missing, "tensor fc1.weight: no checksum in initforge.crc32"},
      {"extra", extra, "checksum for tensor fc9.bias, which the file does not"},
      {"no_meta", no_meta, "metadata: no checksum in initforge.crc32"},
      {"upper", upper, "\"check\" is \"CBF43926\", not 8 lowercase hex"},
      {"array", json::array({"1"}), "is not a JSON object of checksum"},
      {"number", json::object({{"check", 1}}), "is not a JSON object"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::map<std::string, std::string> meta = metadata;
    meta[kChecksumKey] = c.crcs.dump();
    const fs::path path = dir / (c.name + ".safetensors");
    write_safetensors(path, tensors, meta);
    const std::string error = verify_error(path);
    EXPECT_THAT(error, HasSubstr(path.string()));
    EXPECT_THAT(error, HasSubstr(c.expected));
    EXPECT_THAT(error, HasSubstr("the file is corrupt"));
  }
  std::map<std::string, std::string> meta = metadata;
  meta[kChecksumKey] = "not json";
  write_safetensors(dir / "text.safetensors", tensors, meta);
  EXPECT_THAT(
      verify_error(dir / "text.safetensors"),
      HasSubstr("is not a JSON object of checksum strings"));
}

TEST(TensorChecksums, FilesWithoutChecksumsLoadOnlyWhenNotInitforges) {
  const TempDir dir;
  const Sample sample;
  // As PyTorch's safetensors.torch.save_file writes it: loads unverified.
  write_safetensors(
      dir / "torch.safetensors", sample.tensors(), {{"format", "pt"}});
  EXPECT_EQ(verify_error(dir / "torch.safetensors"), "no error");
  write_safetensors(dir / "bare.safetensors", sample.tensors(), {});
  EXPECT_EQ(verify_error(dir / "bare.safetensors"), "no error");
  // initforge's own metadata without checksums: an older initforge wrote it
  // or the checksum key is damaged; either way it cannot be trusted.
  write_safetensors(
      dir / "old.safetensors",
      sample.tensors(),
      {{"format", "pt"}, {"initforge.manifest", "{}"}});
  const std::string error = verify_error(dir / "old.safetensors");
  EXPECT_THAT(error, HasSubstr((dir / "old.safetensors").string()));
  EXPECT_THAT(error, HasSubstr("metadata initforge.manifest"));
  EXPECT_THAT(error, HasSubstr("without initforge.crc32 checksums"));
}

}  // namespace
}  // namespace initforge
