// SPDX-License-Identifier: Apache-2.0
// Bytes that are not UTF-8 in a config, a file name or an argument: the
// command still exits 2 (or succeeds) with messages that are valid UTF-8,
// the bad bytes shown as \xNN, and --json output that stays valid JSON.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/testing/valid_utf8.h"
#include "tests/tools/model_cli_util.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

using testing::error_line;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TempDir;
using testing::valid_utf8;

// A one-layer config whose layer name or init scheme holds `bad` bytes.
std::string config_with(const std::string& layer, const std::string& scheme) {
  return R"({"name": "m", "input": [4], "layers": [{"name": ")" + layer +
         R"(", "type": "Linear", "out_features": 2, "init": {"weight": )"
         R"({"scheme": ")" +
         scheme + R"("}}}]})";
}

// Exit 2, one valid UTF-8 error line naming `file` and showing `escaped`.
void expect_bad_input(
    const CliResult& r, const std::string& file, const std::string& escaped) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string line = error_line(r);
  EXPECT_TRUE(valid_utf8(line)) << line;
  EXPECT_THAT(line, StartsWith("error: " + file + ": "));
  EXPECT_THAT(line, HasSubstr(escaped));
}

TEST(Utf8Cli, ConfigWithInvalidLayerNameIsExit2WithAValidMessage) {
  const TempDir tmp;
  const std::string config =
      tmp.write("c.json", config_with("fc\xff", "kaiming_normal")).string();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"validate", config},
        std::vector<std::string>{"run", config, "--json"}}) {
    const CliResult r = run_cli(args);
    expect_bad_input(r, config, "\"fc\\xff");
    EXPECT_THAT(r.err, HasSubstr("ill-formed UTF-8"));
    EXPECT_EQ(r.out, "");
  }
}

TEST(Utf8Cli, ConfigWithInvalidSchemeNameIsExit2WithAValidMessage) {
  const TempDir tmp;
  // A truncated two-byte sequence, then a quote.
  const std::string config =
      tmp.write("c.json", config_with("fc", "kaiming\xc3")).string();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"validate", config, "--batch", "2"},
        std::vector<std::string>{"run", config, "--json"}}) {
    const CliResult r = run_cli(args);
    expect_bad_input(r, config, "kaiming\\xc3");
    EXPECT_EQ(r.out, "");
  }
}

TEST(Utf8Cli, InvalidFileNameIsEscapedInTheMessage) {
  const TempDir tmp;
  const std::string missing = (tmp / "c\xfe.json").string();
  const CliResult r = run_cli({"validate", missing});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(valid_utf8(r.err)) << r.err;
  EXPECT_THAT(error_line(r), HasSubstr("c\\xfe.json"));
}

TEST(Utf8Cli, InvalidSchemeAndArgumentTextAreEscaped) {
  const CliResult scheme = run_cli({"sample", "uni\xfe", "--shape", "2"});
  EXPECT_EQ(scheme.exit_code, 2);
  EXPECT_TRUE(valid_utf8(scheme.err)) << scheme.err;
  EXPECT_THAT(
      error_line(scheme), StartsWith("error: unknown scheme \"uni\\xfe\";"));

  const CliResult arg = run_cli(
      {"sample",
       "kaiming_normal",
       "--shape",
       "2,2",
       "--arg",
       "mode=\xe2\x82",
       "--json"});
  EXPECT_EQ(arg.exit_code, 2);
  EXPECT_TRUE(valid_utf8(arg.err)) << arg.err;
  EXPECT_THAT(error_line(arg), HasSubstr("\\xe2\\x82"));

  const CliResult command = run_cli({"s\xffmple"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_THAT(
      error_line(command), StartsWith("error: unknown command \"s\\xffmple\""));
}

TEST(Utf8Cli, JsonReportWithAnInvalidNameIsValidJson) {
  // The parameter path is echoed into the report; it used to be exit 1
  // (nlohmann's type_error 316 while dumping).
  const CliResult r = run_cli(
      {"sample",
       "uniform",
       "--shape",
       "2,2",
       "--name",
       "fc\xff.weight",
       "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report.at("path"), "fc\xef\xbf\xbd.weight");  // U+FFFD
}

}  // namespace
}  // namespace initforge
