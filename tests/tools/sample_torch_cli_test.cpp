// SPDX-License-Identifier: Apache-2.0
// `initforge sample SCHEME --rng torch --seed S --out F` writes bit for bit
// what PyTorch 1.13 gives for torch.manual_seed(S) and the same
// torch.nn.init call (README "Sampling"): every one-parameter case of
// tests/data/torch_golden except orthogonal, whose bits depend on the LAPACK
// (golden_tests cover it), through the real binary and its .npy file. One
// case per scheme, set of arguments given and rank: the in-process golden
// tests check all 150 values; here each CLI path runs once (an ASan build
// starts the binary in 0.3 s).
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "framework/core/tensor.h"
#include "framework/io/npy.h"

#include "tests/testing/temp_dir.h"
#include "tests/testing/torch_golden.h"
#include "tests/tools/run_cli.h"

namespace initforge {
namespace {

using nlohmann::json;

// "D0,D1,..." for --shape.
std::string shape_text(const json& dims) {
  std::string text;
  for (const json& d : dims) {
    if (!text.empty()) text += ",";
    text += std::to_string(d.get<std::int64_t>());
  }
  return text;
}

// The golden case's arguments as --arg KEY=VALUE, values as JSON (strings
// bare, as the README allows; doubles in nlohmann's round-trip form).
std::vector<std::string> arg_options(const json& args) {
  std::vector<std::string> out;
  for (const auto& [key, value] : args.items()) {
    out.push_back("--arg");
    out.push_back(
        key + "=" +
        (value.is_string() ? value.get<std::string>() : value.dump()));
  }
  return out;
}

TEST(SampleTorchCli, OutFileEqualsPyTorchBitForBit) {
  testing::TorchGolden golden;
  testing::TempDir dir;
  int ran = 0;
  std::set<std::string> schemes;
  std::set<std::string> paths;  // scheme, rank and argument names run
  for (const json& c : golden.manifest().at("scheme_cases")) {
    const json& params = c.at("params");
    if (params.size() != 1) continue;  // module defaults: `run`'s business
    const json& p = params[0];
    const auto scheme = p.at("scheme").get<std::string>();
    if (scheme == "orthogonal") continue;
    if (p.at("fan_shape") != p.at("shape")) continue;  // no such CLI option
    std::string path = scheme + " rank " + std::to_string(p.at("shape").size());
    for (const auto& item : p.at("args").items()) path += " " + item.key();
    if (!paths.insert(path).second) continue;
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto out = (dir / ("case" + std::to_string(ran) + ".npy")).string();
    std::vector<std::string> argv = {
        "sample",
        scheme,
        "--shape",
        shape_text(p.at("shape")),
        "--rng",
        "torch",
        "--seed",
        std::to_string(c.at("seed").get<std::uint64_t>()),
        "--out",
        out};
    for (std::string& a : arg_options(p.at("args"))) argv.push_back(a);
    const CliResult r = run_cli(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Tensor got = read_npy(out);
    const auto dims = got.shape().dims();
    EXPECT_EQ(
        std::vector<std::int64_t>(dims.begin(), dims.end()),
        p.at("shape").get<std::vector<std::int64_t>>());
    EXPECT_EQ(testing::bit_mismatch(got.span(), golden.values(p)), "");
    schemes.insert(scheme);
    ++ran;
  }
  // The golden data holds these; losing them would empty the test.
  for (const char* s :
       {"kaiming_uniform",
        "kaiming_normal",
        "xavier_uniform",
        "xavier_normal",
        "uniform",
        "normal",
        "trunc_normal",
        "sparse"}) {
    EXPECT_TRUE(schemes.contains(s)) << s;
  }
  EXPECT_GE(ran, 20);
}

}  // namespace
}  // namespace initforge
