// SPDX-License-Identifier: Apache-2.0
#include "framework/io/safetensors.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

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

Tensor iota(const Shape& shape, float start = 0.0f) {
  Tensor t = Tensor::empty(shape);
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    t.data()[i] = start + static_cast<float>(i) * 0.25f;
  }
  return t;
}

// A file with an odd-sized F32 tensor, a scalar I64 and a 4-D F32 tensor.
void write_sample(const fs::path& path) {
  static const Tensor w = iota(Shape{3, 5});
  static const Tensor b = iota(Shape{2, 1, 3, 1}, -1.0f);
  static const std::int64_t count = 42;
  const std::vector<SafetensorsTensor> tensors = {
      SafetensorsTensor::f32("fc.weight", w.view()),
      SafetensorsTensor::i64("bn.num_batches_tracked", {}, {&count, 1}),
      SafetensorsTensor::f32("conv.weight", b.view())};
  write_safetensors(
      path, tensors, {{"format", "pt"}, {"note", "a \"quoted\""}});
}

std::string read_error(const fs::path& path) {
  try {
    read_safetensors(path);
  } catch (const IoError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Safetensors, RoundTripsTensorsMetadataAndDtypes) {
  const TempDir dir;
  write_sample(dir / "m.safetensors");
  const SafetensorsFile file = read_safetensors(dir / "m.safetensors");
  EXPECT_EQ(file.metadata.at("format"), "pt");
  EXPECT_EQ(file.metadata.at("note"), "a \"quoted\"");
  ASSERT_EQ(file.tensors.size(), 3u);

  const Tensor w = file.at("fc.weight").to_tensor();
  EXPECT_EQ(w.shape(), (Shape{3, 5}));
  const Tensor expected = iota(Shape{3, 5});
  EXPECT_EQ(std::memcmp(w.data(), expected.data(), 15 * sizeof(float)), 0);
  EXPECT_EQ(
      file.at("conv.weight").shape, (std::vector<std::int64_t>{2, 1, 3, 1}));
  EXPECT_FLOAT_EQ(file.at("conv.weight").to_tensor().data()[5], 0.25f);

  const SafetensorsEntry& count = file.at("bn.num_batches_tracked");
  EXPECT_EQ(count.dtype, "I64");
  EXPECT_TRUE(count.shape.empty());
  ASSERT_EQ(count.bytes.size(), 8u);
  std::int64_t value = 0;
  std::memcpy(&value, count.bytes.data(), 8);
  EXPECT_EQ(value, 42);
  EXPECT_THAT([&] { count.to_tensor(); }, ::testing::Throws<IoError>());
  EXPECT_THAT(
      [&] { file.at("nope"); },
      ::testing::ThrowsMessage<IoError>(HasSubstr("fc.weight")));
}

TEST(Safetensors, HeaderIsLengthPrefixedPaddedJsonWithAlignedOffsets) {
  const TempDir dir;
  write_sample(dir / "m.safetensors");
  const std::string bytes = read_bytes(dir / "m.safetensors");
  std::uint64_t length = 0;
  for (int i = 7; i >= 0; --i) {
    length = length << 8 |
             static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  }
  ASSERT_LE(8 + length, bytes.size());
  EXPECT_EQ((8 + length) % 8, 0u) << "data must start 8-aligned";
  const std::string header = bytes.substr(8, length);
  EXPECT_EQ(header.front(), '{');
  const std::size_t end = header.find_last_not_of(' ');
  EXPECT_EQ(header[end], '}');
  EXPECT_LT(header.size() - end - 1, 8u) << "padding is under 8 spaces";

  const json h = json::parse(header);
  EXPECT_EQ(h["__metadata__"]["format"], "pt");
  EXPECT_EQ(h["fc.weight"]["dtype"], "F32");
  EXPECT_EQ(h["fc.weight"]["shape"], json({3, 5}));
  // The 8-byte I64 goes first, then the F32 tensors in the given order, so
  // each offset is a multiple of its element size; together they tile the
  // data exactly.
  EXPECT_EQ(h["bn.num_batches_tracked"]["data_offsets"], json({0, 8}));
  EXPECT_EQ(h["fc.weight"]["data_offsets"], json({8, 68}));
  EXPECT_EQ(h["conv.weight"]["data_offsets"], json({68, 92}));
  EXPECT_EQ(bytes.size(), 8 + length + 92);
  float first = 0;
  std::memcpy(&first, bytes.data() + 8 + length + 8 + 4, 4);
  EXPECT_EQ(first, 0.25f);  // fc.weight[0][1], little-endian
}

TEST(Safetensors, WriterRefusesBadInput) {
  const TempDir dir;
  const Tensor t = iota(Shape{2});
  const std::vector<SafetensorsTensor> twice = {
      SafetensorsTensor::f32("a", t.view()),
      SafetensorsTensor::f32("a", t.view())};
  EXPECT_THAT(
      [&] { write_safetensors(dir / "x", twice, {}); },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("\"a\" is reserved or used twice")));
  const std::vector<SafetensorsTensor> reserved = {
      SafetensorsTensor::f32("__metadata__", t.view())};
  EXPECT_THROW(write_safetensors(dir / "x", reserved, {}), InvalidArgument);
  SafetensorsTensor wrong = SafetensorsTensor::f32("w", t.view());
  wrong.shape = {3};
  EXPECT_THAT(
      [&] {
        write_safetensors(dir / "x", {&wrong, 1}, {});
      },
      ::testing::ThrowsMessage<InvalidArgument>(
          HasSubstr("8 bytes do not match dtype F32")));
  EXPECT_TRUE(dir.files().empty());
}

TEST(Safetensors, WriteReplacesAtomicallyAndLeavesNoTemporaries) {
  const TempDir dir;
  const fs::path path = dir / "w.safetensors";
  write_sample(path);
  const std::string before = read_bytes(path);
  // A reader that opened the old file keeps reading the old, complete file:
  // the new one is renamed into place, never written over it.
  std::ifstream reader(path, std::ios::binary);
  const Tensor t = iota(Shape{1000});
  const std::vector<SafetensorsTensor> big = {
      SafetensorsTensor::f32("x", t.view())};
  write_safetensors(path, big, {});
  std::ostringstream old;
  old << reader.rdbuf();
  EXPECT_EQ(old.str(), before);
  EXPECT_EQ(
      read_safetensors(path).at("x").shape, (std::vector<std::int64_t>{1000}));
  EXPECT_EQ(dir.files(), std::vector<std::string>{"w.safetensors"});

  fs::create_directory(dir / "taken");
  EXPECT_THAT(
      [&] { write_safetensors(dir / "taken", big, {}); },
      ::testing::ThrowsMessage<IoError>(HasSubstr("taken: cannot rename")));
  EXPECT_THAT(
      [&] { write_safetensors(dir / "absent" / "x", big, {}); },
      ::testing::ThrowsMessage<IoError>(
          HasSubstr("No such file or directory")));
  EXPECT_EQ(dir.files().size(), 2u);  // w.safetensors and taken/, nothing else
}

TEST(Safetensors, ReaderNamesTheFileAndWhatIsWrong) {
  const TempDir dir;
  write_sample(dir / "good");
  const std::string good = read_bytes(dir / "good");

  write_bytes(dir / "short", "abc");
  EXPECT_THAT(read_error(dir / "short"), HasSubstr("short: truncated"));
  std::string huge = good;
  huge[6] = '\x01';
  write_bytes(dir / "huge", huge);
  EXPECT_THAT(
      read_error(dir / "huge"), HasSubstr("exceeds the format's limit"));
  std::string not_json = good;
  not_json[8] = '[';
  write_bytes(dir / "not_json", not_json);
  EXPECT_THAT(read_error(dir / "not_json"), HasSubstr("not_json: header"));
  write_bytes(dir / "cut", good.substr(0, good.size() - 4));
  EXPECT_THAT(read_error(dir / "cut"), HasSubstr("(truncated)"));
  write_bytes(dir / "extra", good + "xxxx");
  EXPECT_THAT(
      read_error(dir / "extra"), HasSubstr("the tensors end at data byte 92"));
  EXPECT_THAT(read_error(dir / "absent"), HasSubstr("absent: cannot open"));
}

}  // namespace
}  // namespace initforge
