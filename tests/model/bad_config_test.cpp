// SPDX-License-Identifier: Apache-2.0
// Every file in tests/data/bad_configs must fail load_config or
// check_init_specs with the ConfigError that expected.json lists for it: the
// JSON pointer exactly and a substring of the message. An entry with
// "variant" fails in that variant of an experiment: its file label is
// "FILE (variant NAME)".
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/model/config_loader.h"
#include "framework/model/init_check.h"

#include "tests/testing/builtin_registry.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(INITFORGE_TEST_DATA_DIR) / "bad_configs";

struct BadConfig {
  std::string file;
  std::string pointer;
  std::string message;
  std::string variant;  // "": the error is not in a merged variant
};

nlohmann::json expectations() {
  std::ifstream in(kDir / "expected.json");
  return nlohmann::json::parse(in);
}

std::vector<BadConfig> cases() {
  std::vector<BadConfig> out;
  const nlohmann::json table = expectations();
  for (const auto& [file, e] : table.items()) {
    out.push_back(
        {file, e.at("pointer"), e.at("message"), e.value("variant", "")});
  }
  return out;
}

// gtest prints parameters of failing tests; bytes would say nothing.
void PrintTo(const BadConfig& c, std::ostream* os) {
  *os << c.file;
}

class BadConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigTest, FailsWithPointerAndMessage) {
  const BadConfig& c = GetParam();
  const std::string path = (kDir / c.file).string();
  const std::string label =
      c.variant.empty() ? path : path + " (variant " + c.variant + ")";
  try {
    const ModelConfig config = load_config(path);
    check_init_specs(config, testing::builtin_registry());
    FAIL() << c.file << " was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), label);
    EXPECT_EQ(e.pointer(), c.pointer) << e.what();
    const std::string prefix =
        label + ": " + (c.pointer.empty() ? "" : c.pointer + ": ");
    EXPECT_THAT(e.what(), ::testing::StartsWith(prefix));
    EXPECT_THAT(e.what(), ::testing::HasSubstr(c.message));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Corpus,
    BadConfigTest,
    ::testing::ValuesIn(cases()),
    [](const ::testing::TestParamInfo<BadConfig>& p) {
      return fs::path(p.param.file).stem().string();
    });

TEST(BadConfigCorpus, EveryFileHasAnExpectationAndTheCorpusIsLarge) {
  const nlohmann::json expected = expectations();
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    const std::string name = entry.path().filename().string();
    if (name == "expected.json") continue;
    ++files;
    EXPECT_TRUE(expected.contains(name)) << name << " has no expectation";
  }
  EXPECT_EQ(files, expected.size()) << "an expectation names a missing file";
  EXPECT_GE(files, 35U);
}

}  // namespace
}  // namespace initforge
