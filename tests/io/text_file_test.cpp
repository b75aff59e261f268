// SPDX-License-Identifier: Apache-2.0
// write_text_atomically: the file holds exactly the new text, no temporary
// file is left behind, and failures name the target; the clean-up of the
// temporary files a killed writer leaves.
#include "framework/io/text_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "framework/core/error.h"
#include "framework/io/atomic_file.h"

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

TEST(AtomicFile, RemovesOnlyTheTemporariesOfDeadWriters) {
  const testing::TempDir dir;
  // A pid that just ended (reaped: kill(pid, 0) says no such process); a
  // bare fork, not Boost.Process: no program is run, only a pid is needed.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  const std::string dead = std::to_string(child);
  const std::string alive = std::to_string(::getpid());
  for (const std::string& name : std::vector<std::string>{
           ".state.safetensors.tmp." + dead + ".0",
           ".state.safetensors.tmp." + dead + ".17",
           ".state.safetensors.tmp." + alive + ".0",  // a live writer's
           ".state.safetensors.tmp." + dead,          // not the pattern
           ".state.safetensors.tmp.x.0",
           ".metrics.csv.tmp." + dead + ".0",  // another target's
           "state.safetensors"}) {
    dir.write(name, "x");
  }
  EXPECT_EQ(remove_abandoned_temporaries(dir / "state.safetensors"), 2);
  std::vector<std::string> left = dir.files();
  std::sort(left.begin(), left.end());
  EXPECT_THAT(
      left,
      ElementsAre(
          ".metrics.csv.tmp." + dead + ".0",
          ".state.safetensors.tmp." + alive + ".0",
          ".state.safetensors.tmp." + dead,
          ".state.safetensors.tmp.x.0",
          "state.safetensors"));
  EXPECT_EQ(remove_abandoned_temporaries(dir / "none" / "x"), 0);
}

TEST(AtomicFile, KeepAsGivesASecondNameAndKeepsTheFirst) {
  const testing::TempDir dir;
  dir.write("state.safetensors", "latest");
  dir.write("state.prev.safetensors", "older");
  keep_as(dir / "state.safetensors", dir / "state.prev.safetensors");
  EXPECT_EQ(read_all(dir / "state.safetensors"), "latest");
  EXPECT_EQ(read_all(dir / "state.prev.safetensors"), "latest");
  // The same file under both names, until an atomic write replaces one.
  EXPECT_TRUE(std::filesystem::equivalent(
      dir / "state.safetensors", dir / "state.prev.safetensors"));
  write_text_atomically(dir / "state.safetensors", "newest");
  EXPECT_EQ(read_all(dir / "state.prev.safetensors"), "latest");
  std::vector<std::string> left = dir.files();
  std::sort(left.begin(), left.end());
  EXPECT_THAT(left, ElementsAre("state.prev.safetensors", "state.safetensors"));
}

// A writer killed after keep_as's link leaves both names on one file; the
// next keep_as must leave no temporary name behind.
TEST(AtomicFile, KeepAsOfTwoNamesOfOneFileLeavesNothingBehind) {
  const testing::TempDir dir;
  dir.write("state.safetensors", "latest");
  keep_as(dir / "state.safetensors", dir / "state.prev.safetensors");
  keep_as(dir / "state.safetensors", dir / "state.prev.safetensors");
  std::vector<std::string> left = dir.files();
  std::sort(left.begin(), left.end());
  EXPECT_THAT(left, ElementsAre("state.prev.safetensors", "state.safetensors"));
  EXPECT_EQ(read_all(dir / "state.prev.safetensors"), "latest");
}

TEST(AtomicFile, KeepAsOfAMissingFileIsIoErrorNamingBoth) {
  const testing::TempDir dir;
  try {
    keep_as(dir / "none", dir / "prev");
    FAIL() << "no error";
  } catch (const IoError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr(
            (dir / "prev").string() + ": cannot make it a link to " +
            (dir / "none").string()));
  }
  EXPECT_THAT(dir.files(), ElementsAre());
}

}  // namespace
}  // namespace initforge
