// SPDX-License-Identifier: Apache-2.0
// Every input the fuzzers found (tests/data/fuzz_regressions/<target>/)
// replays through the same entry point and ends in a bad-input error.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/fuzz/entry_points.h"
#include "tests/fuzz/guard.h"

namespace fs = std::filesystem;

namespace initforge::fuzz {
namespace {

using Entry = void (*)(std::string_view, Context&);

const std::map<std::string, Entry>& entries() {
  static const std::map<std::string, Entry> all = {
      {"config", config_entry},
      {"weights", weights_entry},
      {"checkpoint", checkpoint_entry},
      {"npy", npy_entry},
      {"idx", idx_entry},
      {"arg", arg_entry}};
  return all;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<fs::path> inputs_of(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FuzzRegressions, EveryDirectoryNamesATarget) {
  for (const auto& dir :
       fs::directory_iterator(INITFORGE_FUZZ_REGRESSIONS_DIR)) {
    if (!dir.is_directory()) continue;  // README.md
    EXPECT_TRUE(entries().contains(dir.path().filename().string()))
        << dir.path() << " is no fuzz target's name";
  }
}

TEST(FuzzRegressions, EveryInputEndsInABadInputError) {
  int replayed = 0;
  for (const auto& [target, entry] : entries()) {
    const fs::path dir = fs::path(INITFORGE_FUZZ_REGRESSIONS_DIR) / target;
    if (!fs::is_directory(dir)) continue;
    for (const fs::path& input : inputs_of(dir)) {
      const std::string bytes = read_bytes(input);
      bool threw_bad_input = true;
      const auto finding = unexpected_failure([&, entry = entry] {
        entry(bytes, context());
        threw_bad_input = false;
      });
      EXPECT_EQ(finding, std::nullopt) << input;
      EXPECT_TRUE(threw_bad_input) << input << " was accepted";
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0) << "no inputs under " INITFORGE_FUZZ_REGRESSIONS_DIR;
}

}  // namespace
}  // namespace initforge::fuzz
