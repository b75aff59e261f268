// SPDX-License-Identifier: Apache-2.0
// `initforge layers`: the layer table as text, and as the Markdown layer
// reference that configs/README.md carries verbatim.
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/tools/model_cli_util.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

using ::testing::HasSubstr;
using testing::kConfigs;

constexpr std::string_view kBegin =
    "<!-- layer reference: initforge layers --markdown -->\n";
constexpr std::string_view kEnd = "<!-- end of the layer reference -->";

TEST(LayersCli, ListsEveryTypeWithItsKeysAndDefaultInit) {
  const CliResult r = run_cli({"layers"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Conv2d: 2-D convolution"));
  EXPECT_THAT(r.out, HasSubstr("kernel_size"));
  EXPECT_THAT(r.out, HasSubstr("int_pair"));
  EXPECT_THAT(
      r.out, HasSubstr("param weight       default init kaiming_uniform (a="));
  EXPECT_THAT(r.out, HasSubstr("Add: "));
}

TEST(LayersCli, ReadmeCarriesTheGeneratedReference) {
  const CliResult r = run_cli({"layers", "--markdown"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(kConfigs / "README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  const std::size_t begin = text.find(kBegin);
  const std::size_t end = text.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << "configs/README.md lost its marker";
  ASSERT_NE(end, std::string::npos) << "configs/README.md lost its marker";
  const std::size_t from = begin + kBegin.size();
  EXPECT_EQ(text.substr(from, end - from), r.out)
      << "configs/README.md's layer reference is stale: run "
         "tools/update_layer_reference.sh BUILD_DIR";
}

}  // namespace
}  // namespace initforge
