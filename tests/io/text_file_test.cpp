// SPDX-License-Identifier: Apache-2.0
// write_text_atomically: the file holds exactly the new text, no temporary
// file is left behind, and failures name the target.
#include "framework/io/text_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"

#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(TextFile, ReplacesTheFileAndLeavesNoTemporary) {
  const testing::TempDir dir;
  const auto file = dir / "comparison.csv";
  write_text_atomically(file, "a,b\n1,2\n");
  EXPECT_EQ(read_all(file), "a,b\n1,2\n");
  write_text_atomically(file, std::string("x\0y", 3));  // shorter, binary
  EXPECT_EQ(read_all(file), std::string("x\0y", 3));
  write_text_atomically(file, "");
  EXPECT_EQ(read_all(file), "");
  EXPECT_THAT(dir.files(), ElementsAre("comparison.csv"));
}

TEST(TextFile, AMissingDirectoryIsIoErrorNamingTheFile) {
  const testing::TempDir dir;
  const auto file = dir / "no" / "such.csv";
  try {
    write_text_atomically(file, "x");
    FAIL() << "no error";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string() + ": cannot create a file"));
  }
  EXPECT_THAT(dir.files(), ElementsAre());
}

}  // namespace
}  // namespace initforge
