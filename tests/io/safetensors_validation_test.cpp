// SPDX-License-Identifier: Apache-2.0
// read_safetensors against the format's own validation rules, one test per
// rule, on hand-made bytes: each refusal names the file, the tensor and
// what was expected and found.
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/io/safetensors.h"

#include "tests/testing/safetensors_bytes.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/valid_utf8.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using initforge::testing::safetensors_bytes;
using initforge::testing::TempDir;
using initforge::testing::tensor_json;
using initforge::testing::valid_utf8;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class SafetensorsRules : public ::testing::Test {
 protected:
  // read_safetensors' message for a file of `bytes`, "accepted" if none.
  std::string error(const std::string& bytes) {
    const fs::path file = dir_.write("t.safetensors", bytes);
    try {
      read_safetensors(file);
    } catch (const IoError& e) {
      const std::string what = e.what();
      EXPECT_THAT(what, StartsWith(file.string() + ": "));
      EXPECT_TRUE(valid_utf8(what)) << what;
      return what.substr(file.string().size() + 2);
    }
    return "accepted";
  }
  // A file of `header` (a JSON object's members) and `data`.
  std::string error(const std::string& members, const std::string& data) {
    return error(safetensors_bytes("{" + members + "}", data));
  }

  TempDir dir_;
};

// Two F32 [2] tensors, a then b, 16 data bytes.
const std::string kA = R"("a":)" + tensor_json("F32", "[2]", "[0,8]");
const std::string kB = R"("b":)" + tensor_json("F32", "[2]", "[8,16]");
const std::string kData(16, '\x01');

TEST_F(SafetensorsRules, WellFormedFilesAreAccepted) {
  EXPECT_EQ(error(kA + "," + kB, kData), "accepted");
  // Header order is free; offset order is what must tile the data.
  EXPECT_EQ(error(kB + "," + kA, kData), "accepted");
  // Empty tensors take no bytes, several may sit at one offset.
  EXPECT_EQ(
      error(
          kA + R"(,"e":)" + tensor_json("F32", "[0,3]", "[8,8]") + R"(,"f":)" +
              tensor_json("I64", "[4,0]", "[8,8]") + "," + kB,
          kData),
      "accepted");
  EXPECT_EQ(error("", ""), "accepted");  // "{}": no tensors, no data
  EXPECT_EQ(error(safetensors_bytes("{}      ", "")), "accepted");  // padding
}

TEST_F(SafetensorsRules, FileShorterThanTheLengthPrefixIsRefused) {
  EXPECT_EQ(
      error(std::string("\x02\0\0", 3)),
      "truncated: expected an 8-byte header length, found a file of 3 bytes");
}

TEST_F(SafetensorsRules, HeaderOverTheFormatsLimitIsRefused) {
  EXPECT_EQ(
      error(safetensors_bytes("{}", "", 100'000'001)),
      "header length 100000001 exceeds the format's limit of 100000000 bytes");
  EXPECT_EQ(
      error(safetensors_bytes("{}", "", UINT64_MAX - 1)),
      "header length 18446744073709551614 exceeds the format's limit of "
      "100000000 bytes");
}

TEST_F(SafetensorsRules, HeaderPastTheEndOfTheFileIsRefused) {
  EXPECT_EQ(
      error(safetensors_bytes("{}", "", 3)),
      "header length 3 exceeds the file: expected at most 2 (the file is 10 "
      "bytes)");
  EXPECT_EQ(
      error(safetensors_bytes("{}", "", 100'000'000)),
      "header length 100000000 exceeds the file: expected at most 2 (the "
      "file is 10 bytes)");
}

TEST_F(SafetensorsRules, HeaderThatIsNotUtf8IsRefused) {
  // A tensor name with a byte that starts no UTF-8 sequence.
  const std::string bad = R"("a)" + std::string("\xff") + R"(":)" +
                          tensor_json("F32", "[2]", "[0,8]");
  EXPECT_EQ(
      error(bad, std::string(8, '\0')),
      "header is not valid UTF-8: byte 0xff at header offset 3");
  // Overlong '/', a UTF-16 surrogate, a code point past U+10FFFF: all
  // refused, in metadata values too.
  for (const std::string& bytes :
       {std::string("\xc0\xaf"),
        std::string("\xed\xa0\x80"),
        std::string("\xf4\x90\x80\x80")}) {
    EXPECT_THAT(
        error(R"("__metadata__":{"k":")" + bytes + R"("})", ""),
        StartsWith("header is not valid UTF-8: byte 0x"));
  }
  // Valid multi-byte names are fine.
  EXPECT_EQ(
      error(
          R"("gewicht.ä€𝄞":)" + tensor_json("F32", "[2]", "[0,8]"),
          std::string(8, '\0')),
      "accepted");
}

TEST_F(SafetensorsRules, HeaderThatIsNotAJsonObjectIsRefused) {
  EXPECT_THAT(
      error(safetensors_bytes("{\"a\":", "")),
      StartsWith("header is not JSON: "));
  EXPECT_EQ(
      error(safetensors_bytes("[1, 2]  ", "")),
      "header is not a JSON object; found array");
}

TEST_F(SafetensorsRules, DuplicateKeysAreRefused) {
  // JSON would keep the second "a" only, silently.
  EXPECT_EQ(
      error(kA + "," + kA, std::string(8, '\0')),
      "header has the key \"a\" twice; expected each tensor once");
  EXPECT_EQ(
      error(
          R"("a":{"dtype":"F32","shape":[2],"dtype":"I32",)"
          R"("data_offsets":[0,8]})",
          std::string(8, '\0')),
      "\"a\" has the key \"dtype\" twice; expected each key once");
  EXPECT_EQ(
      error(R"("__metadata__":{"k":"1","k":"2"})", ""),
      "\"__metadata__\" has the key \"k\" twice; expected each key once");
  EXPECT_EQ(
      error(R"("__metadata__":{},"__metadata__":{})", ""),
      "header has the key \"__metadata__\" twice; expected each tensor once");
}

TEST_F(SafetensorsRules, UnknownDtypesAreRefused) {
  EXPECT_EQ(
      error(R"("a":)" + tensor_json("F12", "[2]", "[0,8]"), kData.substr(8)),
      "tensor \"a\": unknown dtype \"F12\"; expected one of BF16, BOOL, F16, "
      "F32, F64, F8_E4M3, F8_E5M2, I16, I32, I64, I8, U16, U32, U64, U8");
  EXPECT_THAT(
      error(
          R"("a":{"dtype":4,"shape":[2],"data_offsets":[0,8]})",
          kData.substr(8)),
      StartsWith("tensor \"a\": unknown dtype 4; expected one of "));
  EXPECT_THAT(
      error(R"("a":)" + tensor_json("f32", "[2]", "[0,8]"), kData.substr(8)),
      StartsWith("tensor \"a\": unknown dtype \"f32\""));
}

TEST_F(SafetensorsRules, EntriesNeedDtypeShapeAndOffsetsOfTheRightKind) {
  EXPECT_EQ(
      error(R"("a":[1])", ""),
      "tensor \"a\": expected an object {dtype, shape, data_offsets}; found "
      "[1]");
  EXPECT_EQ(
      error(R"("a":{"dtype":"F32","shape":[2]})", ""),
      "tensor \"a\": no \"data_offsets\"");
  for (const char* shape : {"[2,-1]", "[2.5]", "2", "[\"2\"]"}) {
    EXPECT_EQ(
        error(R"("a":)" + tensor_json("F32", shape, "[0,8]"), kData),
        std::string("tensor \"a\": shape: expected an array of non-negative "
                    "integers; found ") +
            shape)
        << shape;
  }
  for (const char* offsets :
       {"[8,0]", "[0]", "[0,8,16]", "[-8,0]", "[0,8.0]"}) {
    EXPECT_EQ(
        error(R"("a":)" + tensor_json("F32", "[2]", offsets), kData),
        std::string("tensor \"a\": data_offsets: expected [BEGIN, END] with "
                    "0 <= BEGIN <= END; found ") +
            offsets)
        << offsets;
  }
}

TEST_F(SafetensorsRules, ShapeTimesDtypeSizeMustEqualEndMinusBegin) {
  EXPECT_EQ(
      error(R"("a":)" + tensor_json("F32", "[3]", "[0,8]"), kData.substr(8)),
      "tensor \"a\": data_offsets [0, 8] hold 8 bytes; expected 12 (shape [3] "
      "of F32)");
  EXPECT_EQ(
      error(R"("a":)" + tensor_json("F64", "[2]", "[0,8]"), kData.substr(8)),
      "tensor \"a\": data_offsets [0, 8] hold 8 bytes; expected 16 (shape [2] "
      "of F64)");
}

TEST_F(SafetensorsRules, ShapeWhoseByteCountOverflowsIsRefused) {
  // 2^31 * 2^31 * 4 bytes = 2^64: one past what 64 bits hold; the product
  // must not wrap around to 0 = END - BEGIN.
  EXPECT_EQ(
      error(
          R"("a":)" + tensor_json("F32", "[2147483648,2147483648]", "[0,0]"),
          ""),
      "tensor \"a\": shape [2147483648,2147483648] of F32 has more bytes than "
      "a 64-bit size can count");
  EXPECT_THAT(
      error(
          R"("a":)" + tensor_json("U8", "[18446744073709551615]", "[0,0]"), ""),
      HasSubstr("shape: expected an array of non-negative integers"));
}

TEST_F(SafetensorsRules, FirstTensorMustStartAtZero) {
  EXPECT_EQ(
      error(R"("b":)" + tensor_json("F32", "[2]", "[8,16]"), kData),
      "tensor \"b\": data_offsets [8, 16] start the data (lowest BEGIN); "
      "expected BEGIN 0");
}

TEST_F(SafetensorsRules, GapsBetweenTensorsAreRefused) {
  EXPECT_EQ(
      error(
          kA + R"(,"b":)" + tensor_json("F32", "[2]", "[12,20]"),
          std::string(20, '\0')),
      "tensor \"b\": data_offsets [12, 20] leave a gap of 4 bytes after "
      "tensor \"a\"; expected BEGIN 8 (tensors contiguous in offset order)");
}

TEST_F(SafetensorsRules, OverlappingTensorsAreRefused) {
  EXPECT_EQ(
      error(
          kA + R"(,"b":)" + tensor_json("F32", "[2]", "[4,12]"),
          std::string(12, '\0')),
      "tensor \"b\": data_offsets [4, 12] overlap tensor \"a\" [0, 8]; "
      "expected BEGIN 8 (tensors contiguous in offset order)");
}

TEST_F(SafetensorsRules, TensorRepeatingAnothersOffsetsIsRefused) {
  // The case of issue 10: the second tensor has the first's shape and
  // offsets, so its byte count matches; it would read the first's values.
  EXPECT_EQ(
      error(kA + R"(,"b":)" + tensor_json("F32", "[2]", "[0,8]"), kData),
      "tensor \"b\": data_offsets [0, 8] overlap tensor \"a\" [0, 8]; "
      "expected BEGIN 8 (tensors contiguous in offset order)");
}

TEST_F(SafetensorsRules, LastEndMustMeetTheEndOfTheFile) {
  const std::string header = "{" + kA + "," + kB + "}";
  const std::string n = std::to_string(header.size());
  EXPECT_EQ(
      error(safetensors_bytes(header, kData + "xx")),
      "the tensors end at data byte 16, so the file should be 8 + " + n +
          " + 16 = " + std::to_string(8 + header.size() + 16) +
          " bytes; it is " + std::to_string(8 + header.size() + 18) +
          " (trailing bytes)");
  EXPECT_EQ(
      error(safetensors_bytes(header, kData.substr(0, 15))),
      "the tensors end at data byte 16, so the file should be 8 + " + n +
          " + 16 = " + std::to_string(8 + header.size() + 16) +
          " bytes; it is " + std::to_string(8 + header.size() + 15) +
          " (truncated)");
  EXPECT_THAT(error(safetensors_bytes("{}", "x")), HasSubstr("(trailing"));
}

TEST_F(SafetensorsRules, MetadataMustMapStringsToStrings) {
  EXPECT_EQ(
      error(R"("__metadata__":["format","pt"])", ""),
      "__metadata__: expected an object of strings; found [\"format\",\"pt\"]");
  EXPECT_EQ(
      error(R"("__metadata__":{"format":"pt","epoch":3})", ""),
      "__metadata__ \"epoch\": expected a string; found 3");
  EXPECT_EQ(
      error(R"("__metadata__":{"nested":{"a":"b"}})", ""),
      "__metadata__ \"nested\": expected a string; found {\"a\":\"b\"}");
  EXPECT_EQ(error(R"("__metadata__":{"format":"pt"})", ""), "accepted");
}

}  // namespace
}  // namespace initforge
