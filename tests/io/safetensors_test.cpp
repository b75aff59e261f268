// SPDX-License-Identifier: Apache-2.0
#include "framework/io/safetensors.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
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

// The 16-bit and 64-bit float tensors PyTorch writes, widened / rounded to
// float32 as PyTorch's .float() does: F16 and BF16 exactly, F64 to nearest
// even (ties included).
TEST(Safetensors, FloatReaderConvertsHalfBFloatAndDouble) {
  const TempDir dir;
  const std::vector<std::uint16_t> f16 = {0x3c00, 0xc000, 0x0001, 0x7bff};
  const std::vector<std::uint16_t> bf16 = {0x3f80, 0xc0a0};
  const double tie_down = 1.0 + std::ldexp(1.0, -24);    // halfway: to 1
  const double tie_up = 1.0 + 3 * std::ldexp(1.0, -24);  // to 1 + 2^-22
  const std::vector<double> f64 = {0.1, tie_down, tie_up, -1e300};
  const std::vector<std::int64_t> i64 = {7};
  const std::vector<SafetensorsTensor> tensors = {
      {"h", "F16", {2, 2}, std::as_bytes(std::span(f16))},
      {"b", "BF16", {2}, std::as_bytes(std::span(bf16))},
      {"d", "F64", {4}, std::as_bytes(std::span(f64))},
      SafetensorsTensor::i64("n", {}, i64)};
  write_safetensors(dir / "w", tensors, {});
  const SafetensorsFile header = read_safetensors_header(dir / "w");
  for (const SafetensorsEntry& e : header.tensors) {
    EXPECT_TRUE(e.bytes.empty()) << e.name;
  }
  const auto values = [&](const std::string& name, std::size_t n) {
    std::vector<float> out(n);
    for (const SafetensorsEntry& e : header.tensors) {
      if (e.name == name) read_safetensors_floats(dir / "w", header, e, out);
    }
    return out;
  };
  EXPECT_THAT(
      values("h", 4),
      ::testing::ElementsAre(1.0f, -2.0f, std::ldexp(1.0f, -24), 65504.0f));
  EXPECT_THAT(values("b", 2), ::testing::ElementsAre(1.0f, -5.0f));
  const std::vector<float> d = values("d", 4);
  EXPECT_EQ(d[0], 0.1f);
  EXPECT_EQ(d[1], 1.0f);
  EXPECT_EQ(d[2], 1.0f + std::ldexp(1.0f, -22));
  EXPECT_TRUE(std::isinf(d[3]) && d[3] < 0);

  std::vector<float> one(1);
  std::string error;
  try {
    read_safetensors_floats(dir / "w", header, header.at("n"), one);
  } catch (const IoError& e) {
    error = e.what();
  }
  EXPECT_THAT(
      error, HasSubstr("is not a float; expected F32, F16, BF16 or F64"));
}

}  // namespace
}  // namespace initforge
