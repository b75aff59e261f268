// SPDX-License-Identifier: Apache-2.0
#include "framework/plugin/fill_checked.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/core/tensor.h"
#include "framework/plugin/loader.h"
#include "framework/plugin/registry.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path fixture(const std::string& name) {
  return fs::path(INITFORGE_FIXTURE_DIR) / name / ("lib" + name + ".so");
}

// Fills a constant, then the values of `poison` at their indices.
class Poisoned final : public Initializer {
 public:
  explicit Poisoned(std::vector<std::pair<std::size_t, float>> poison)
      : poison_(std::move(poison)) {}
  void fill(TensorView dst, const FillContext&) const override {
    std::fill(dst.data().begin(), dst.data().end(), 1.0f);
    for (const auto& [i, v] : poison_) dst.data()[i] = v;
  }

 private:
  std::vector<std::pair<std::size_t, float>> poison_;
};

// Throws something that is not a std::exception.
class ThrowsInt final : public Initializer {
 public:
  void fill(TensorView, const FillContext&) const override {
    throw 42;
  }
};

// The PluginError `f` throws, checking its library_path.
template <class F>
std::string plugin_error(F f, const std::string& library) {
  try {
    f();
  } catch (const PluginError& e) {
    EXPECT_EQ(e.library_path(), library);
    return e.what();
  }
  ADD_FAILURE() << "expected PluginError";
  return "";
}

// Fills a fresh tensor of `shape` through fill_checked.
struct Fill {
  const Initializer& init;
  Shape shape;
  FillChecks checks;
  std::int64_t offset = 0;
  void operator()() const {
    Tensor t = Tensor::empty(shape);
    const ParamInfo param{
        .path = "fc1.weight", .shape = shape, .fans = std::nullopt};
    const auto gen =
        RandomSource::create(RngKind::Philox, 1)->generator_for(param.path);
    fill_checked(
        init,
        t.view(),
        {.param = param, .gen = *gen, .offset = offset},
        checks);
  }
};

TEST(FillChecked, ThrowingPluginNamesParameterSchemeAndLibrary) {
  Registry registry;
  load_plugin(fixture("fixture_fill_throws"), registry);
  const auto init = registry.create("fixture_boom", {});
  const std::string library = fixture("fixture_fill_throws").string();
  const std::string message = plugin_error(
      Fill{
          *init,
          Shape{4, 3},
          {.scheme = "fixture_boom", .library_path = library}},
      library);
  EXPECT_EQ(
      message,
      "plugin " + library +
          ": fc1.weight: scheme \"fixture_boom\" failed while filling: boom");
}

TEST(FillChecked, NonStandardExceptionIsAPluginErrorToo) {
  const ThrowsInt init;
  EXPECT_EQ(
      plugin_error(
          Fill{
              init,
              Shape{2},
              {.scheme = "ints", .library_path = "", .check_finite = false}},
          "(in-process)"),
      "plugin (in-process): fc1.weight: scheme \"ints\" failed while "
      "filling: a non-standard exception");
}

TEST(FillChecked, NanPluginPassesWithoutCheckAndFailsWithIt) {
  Registry registry;
  load_plugin(fixture("fixture_nan"), registry);
  const auto init = registry.create("fixture_nan", {});
  const std::string library = fixture("fixture_nan").string();
  FillChecks checks{.scheme = "fixture_nan", .library_path = library};
  EXPECT_NO_THROW((Fill{*init, Shape{4, 3}, checks})());
  checks.check_finite = true;
  EXPECT_EQ(
      plugin_error(Fill{*init, Shape{4, 3}, checks}, library),
      "plugin " + library +
          ": fc1.weight: scheme \"fixture_nan\" wrote 1 non-finite value(s) "
          "(NaN or Inf) of 12; the first at "
          "index 3: nan");
}

TEST(FillChecked, CountsEveryNonFiniteAndReportsTheFirstWithTheShardOffset) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const Poisoned init({{9, -kInf}, {5, kInf}, {7, std::nanf("")}});
  const std::string message = plugin_error(
      Fill{
          init,
          Shape{10},
          {.scheme = "p", .library_path = "", .check_finite = true},
          100},
      "(in-process)");
  EXPECT_THAT(message, HasSubstr("wrote 3 non-finite value(s)"));
  EXPECT_THAT(message, HasSubstr("the first at index 105: inf"));
  const Poisoned negative({{0, -kInf}});
  EXPECT_THAT(
      plugin_error(
          Fill{
              negative,
              Shape{3},
              {.scheme = "p", .library_path = "", .check_finite = true}},
          "(in-process)"),
      HasSubstr("index 0: -inf"));
}

TEST(FillChecked, LargeTensorsAreScannedCompletely) {
  // Above the parallel threshold: the last element must still be seen.
  const std::size_t n = (std::size_t{1} << 21) + 7;
  const Poisoned init({{n - 1, std::nanf("")}, {n / 2, std::nanf("")}});
  const std::string message = plugin_error(
      Fill{
          init,
          Shape{static_cast<std::int64_t>(n)},
          {.scheme = "p", .library_path = "", .check_finite = true}},
      "(in-process)");
  EXPECT_THAT(message, HasSubstr("wrote 2 non-finite value(s)"));
  EXPECT_THAT(
      message, HasSubstr("the first at index " + std::to_string(n / 2)));
}

TEST(FillChecked, FiniteValuesAndExtremesPass) {
  const Poisoned init(
      {{0, std::numeric_limits<float>::max()},
       {1, -std::numeric_limits<float>::max()},
       {2, std::numeric_limits<float>::denorm_min()}});
  EXPECT_NO_THROW((Fill{
      init,
      Shape{3},
      {.scheme = "p", .library_path = "", .check_finite = true}})());
}

}  // namespace
}  // namespace initforge
