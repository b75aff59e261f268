// SPDX-License-Identifier: Apache-2.0
// Sharded init: for every elementwise built-in scheme, elements [off,
// off + len) filled alone (generator and FillContext for offset off, a 1-D
// view) are bit-identical to that slice of the full fill. Also: the catalogue
// and which schemes declare themselves elementwise.

#include <algorithm>
#include <cstring>
#include <map>

#include <gtest/gtest.h>

#include "tests/plugins/plugin_test_util.h"

namespace initforge::testing {
namespace {

const std::vector<std::string> kElementwise = {
    "constant",
    "dirac",
    "eye",
    "fan_in_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "trunc_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros"};
const std::vector<std::string> kWholeOnly = {"orthogonal", "sparse", "lsuv"};

// Arguments and shape per scheme; the rest use no arguments and kDefault.
const Shape kDefault{400, 263};  // 105200 elements: crosses parallel chunks
const std::map<std::string, std::pair<ArgList, Shape>> kSpecial = {
    {"constant", {{{"val", 0.75}}, kDefault}},
    {"eye", {{}, Shape{230, 310}}},
    {"dirac", {{{"groups", std::int64_t{2}}}, Shape{6, 4, 3, 5, 7}}},
    {"kaiming_normal",
     {{{"a", 0.3}, {"mode", std::string("fan_out")}}, Shape{40, 30, 5, 5}}},
    {"uniform", {{{"a", -0.5}, {"b", 2.0}}, kDefault}},
    {"trunc_normal",
     {{{"mean", 0.2}, {"std", 0.5}, {"a", -0.4}, {"b", 1.0}}, kDefault}},
    {"variance_scaling",
     {{{"distribution", std::string("truncated_normal")},
       {"mode", std::string("fan_avg")}},
      kDefault}},
};

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

TEST(BuiltinCatalogue, RegistersEveryTorchSchemeAndTheKerasOnes) {
  std::vector<std::string> want = kElementwise;
  want.insert(want.end(), kWholeOnly.begin(), kWholeOnly.end());
  std::ranges::sort(want);
  EXPECT_EQ(builtin_registry().names(), want);
  for (const std::string& name : kElementwise) {
    EXPECT_TRUE(builtin_registry().find(name).info.elementwise) << name;
  }
  for (const std::string& name : kWholeOnly) {
    EXPECT_FALSE(builtin_registry().find(name).info.elementwise) << name;
  }
}

TEST(BuiltinCatalogue, EverySchemeHasADocAndEveryArgumentADoc) {
  for (const std::string& name : builtin_registry().names()) {
    const RegisteredScheme& s = builtin_registry().find(name);
    EXPECT_FALSE(s.info.doc.empty()) << name;
    EXPECT_EQ(s.info.doc.find('\n'), std::string::npos) << name;
    for (const ArgSpec& arg : s.info.args) {
      EXPECT_FALSE(arg.doc.empty()) << name << "." << arg.name;
    }
    EXPECT_TRUE(s.library_name.starts_with("initforge_")) << s.library_name;
  }
}

TEST(ShardFill, EveryElementwiseSchemeMatchesTheFullFillSlice) {
  for (const std::string& name : kElementwise) {
    const auto special = kSpecial.find(name);
    const ArgList args =
        special == kSpecial.end() ? ArgList{} : special->second.first;
    const ParamSpec p{
        special == kSpecial.end() ? kDefault : special->second.second};
    const auto init = make(name, args);
    const std::vector<float> full = fill_range(*init, p, 0, -1);
    const std::int64_t n = p.shape.numel();
    const std::vector<std::pair<std::int64_t, std::int64_t>> shards = {
        {0, 1},
        {1, 3},
        {5, 16},
        {17, 33},
        {63, 2},
        {64, 129},
        {1001, 700},
        {n / 3 + 1, n / 2},
        {n - 7, 7},
        {n - 1, 1},
        {3, n - 3}};
    for (const auto& [off, len] : shards) {
      SCOPED_TRACE(
          ::testing::Message() << name << " [" << off << ", +" << len << ")");
      const std::vector<float> part = fill_range(*init, p, off, len);
      const std::span<const float> slice(
          full.data() + off, static_cast<std::size_t>(len));
      EXPECT_TRUE(same_bits(part, slice));
    }
  }
}

TEST(ShardFill, IndexDependentSchemesRefuseARangeOutsideTheParameter) {
  for (const std::string name : {"eye", "dirac"}) {
    const auto& special = kSpecial.at(name);
    const Shape& shape = special.second;
    const ParamSpec p{shape};
    const std::string message = message_of<InvalidArgument>([&] {
      fill_range(*make(name, special.first), p, shape.numel() - 2, 5);
    });
    EXPECT_NE(
        message.find("lie outside shape " + shape.to_string()),
        std::string::npos)
        << message;
  }
}

TEST(ShardFill, WholeOnlySchemesRefuseAShard) {
  for (const std::string& name : kWholeOnly) {
    const ArgList args =
        name == "sparse" ? ArgList{{"sparsity", 0.1}} : ArgList{};
    const std::string message = message_of<InvalidArgument>([&] {
      fill_range(*make(name, args), {Shape{8, 6}}, 8, 12);
    });
    EXPECT_NE(
        message.find(name + " on layer.weight: not elementwise"),
        std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace initforge::testing
