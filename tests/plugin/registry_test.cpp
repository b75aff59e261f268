// SPDX-License-Identifier: Apache-2.0
#include "framework/plugin/registry.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

using ::testing::HasSubstr;

class Fixed final : public Initializer {
 public:
  explicit Fixed(double value) : value_(value) {}
  void fill(TensorView dst, const FillContext&) const override {
    for (float& x : dst.data()) x = static_cast<float>(value_);
  }
  double value() const {
    return value_;
  }

 private:
  double value_;
};

SchemeInfo fixed_scheme(const std::string& name, int* created = nullptr) {
  return {
      .name = name,
      .doc = "fills a constant",
      .args = {ArgSpec::number("val", 0.5, "the value").at_least(0.0)},
      .create = [created](const Args& args) {
        if (created != nullptr) ++*created;
        return std::make_unique<Fixed>(args.number("val"));
      }};
}

template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return "";
}

TEST(Registry, FindsInProcessSchemeWithNoLibrary) {
  Registry registry;
  registry.add(fixed_scheme("fixed"));
  ASSERT_TRUE(registry.contains("fixed"));
  const RegisteredScheme& scheme = registry.find("fixed");
  EXPECT_EQ(scheme.info.doc, "fills a constant");
  EXPECT_EQ(scheme.library_path, "");
  EXPECT_EQ(scheme.library, nullptr);
}

TEST(Registry, NamesAreSorted) {
  Registry registry;
  registry.add(fixed_scheme("zeta"));
  registry.add(fixed_scheme("alpha"));
  registry.add(fixed_scheme("mid"));
  EXPECT_EQ(
      registry.names(), (std::vector<std::string>{"alpha", "mid", "zeta"}));
}

TEST(Registry, CreateAppliesDefaultsAndGivenArgs) {
  Registry registry;
  registry.add(fixed_scheme("fixed"));
  const auto by_default = registry.create("fixed", {});
  const auto given = registry.create("fixed", {{"val", std::int64_t{3}}});
  EXPECT_EQ(dynamic_cast<const Fixed&>(*by_default).value(), 0.5);
  EXPECT_EQ(dynamic_cast<const Fixed&>(*given).value(), 3.0);
}

TEST(Registry, CreateValidatesArgsBeforeCallingTheFactory) {
  Registry registry;
  int created = 0;
  registry.add(fixed_scheme("fixed", &created));
  try {
    registry.create("fixed", {{"val", -1.0}});
    FAIL() << "expected ArgumentError";
  } catch (const ArgumentError& e) {
    EXPECT_EQ(e.key(), "val");
    EXPECT_STREQ(e.what(), "expected a number >= 0; got -1");
  }
  EXPECT_EQ(created, 0);
}

TEST(Registry, DuplicateNameNamesBothLibraries) {
  Registry registry;
  {
    Registry::LibraryScope scope(
        registry, "/y/libinitforge_random.so", "random", "0.1.0", nullptr);
    registry.add(fixed_scheme("uniform"));
  }
  Registry::LibraryScope scope(registry, "/x/libdup.so", "dup", "1", nullptr);
  const std::string message =
      message_of<PluginError>([&] { registry.add(fixed_scheme("uniform")); });
  EXPECT_THAT(
      message,
      HasSubstr("scheme \"uniform\" from /x/libdup.so is already registered by "
                "/y/libinitforge_random.so"));
  EXPECT_EQ(registry.find("uniform").library_name, "random");
}

TEST(Registry, DuplicateInProcessNameSaysInProcess) {
  Registry registry;
  registry.add(fixed_scheme("fixed"));
  EXPECT_THAT(
      message_of<PluginError>([&] { registry.add(fixed_scheme("fixed")); }),
      HasSubstr("is already registered by (in-process)"));
}

TEST(Registry, FindUnknownNameSuggestsClosestAndListsKnown) {
  Registry registry;
  registry.add(fixed_scheme("uniform"));
  registry.add(fixed_scheme("normal"));
  EXPECT_EQ(
      message_of<InvalidArgument>([&] { registry.find("unifrom"); }),
      "unknown scheme \"unifrom\"; did you mean \"uniform\"? known: normal, "
      "uniform");
  EXPECT_EQ(
      message_of<InvalidArgument>([&] { registry.find("orthogonal"); }),
      "unknown scheme \"orthogonal\"; known: normal, uniform");
}

TEST(Registry, FindOnEmptyRegistrySaysNothingIsLoaded) {
  const Registry registry;
  EXPECT_THAT(
      message_of<InvalidArgument>([&] { registry.find("uniform"); }),
      HasSubstr("no schemes are loaded"));
}

TEST(Registry, RefusesEmptyNameMissingFactoryAndBadSchemas) {
  Registry registry;
  EXPECT_THAT(
      message_of<PluginError>([&] { registry.add(fixed_scheme("")); }),
      HasSubstr("registers a scheme with an empty name"));

  SchemeInfo no_factory = fixed_scheme("no_factory");
  no_factory.create = nullptr;
  EXPECT_THAT(
      message_of<PluginError>([&] { registry.add(no_factory); }),
      HasSubstr("scheme \"no_factory\" has no factory"));

  SchemeInfo twice = fixed_scheme("twice");
  twice.args.push_back(ArgSpec::number("val", 1.0, "again"));
  EXPECT_THAT(
      message_of<PluginError>([&] { registry.add(twice); }),
      HasSubstr("declares argument \"val\" twice"));

  SchemeInfo bad_default = fixed_scheme("bad_default");
  bad_default.args = {ArgSpec::choice("mode", "fan_avg", {"fan_in"}, "")};
  EXPECT_THAT(
      message_of<PluginError>([&] { registry.add(bad_default); }),
      HasSubstr(
          "default of argument \"mode\" breaks its schema: expected one of "
          "fan_in; got \"fan_avg\""));
  EXPECT_TRUE(registry.names().empty());
}

TEST(Registry, FactoryStdExceptionBecomesPluginErrorNamingSchemeAndLibrary) {
  Registry registry;
  Registry::LibraryScope scope(registry, "/p/libbad.so", "bad", "1", nullptr);
  SchemeInfo scheme = fixed_scheme("bad");
  scheme.create = [](const Args&) -> std::unique_ptr<Initializer> {
    throw std::logic_error("boom");
  };
  registry.add(scheme);
  const std::string message =
      message_of<PluginError>([&] { registry.create("bad", {}); });
  EXPECT_EQ(
      message, "plugin /p/libbad.so: scheme \"bad\" failed to create: boom");
}

TEST(Registry, FactoryInitforgeErrorPassesThrough) {
  Registry registry;
  SchemeInfo scheme = fixed_scheme("ordered");
  scheme.create = [](const Args&) -> std::unique_ptr<Initializer> {
    throw ArgumentError("a", "expected a <= b; got a = 2, b = 1");
  };
  registry.add(scheme);
  try {
    registry.create("ordered", {});
    FAIL() << "expected ArgumentError";
  } catch (const ArgumentError& e) {
    EXPECT_EQ(e.key(), "a");
    EXPECT_STREQ(e.what(), "expected a <= b; got a = 2, b = 1");
  }
}

TEST(Registry, FactoryReturningNullIsPluginError) {
  Registry registry;
  SchemeInfo scheme = fixed_scheme("null");
  scheme.create = [](const Args&) -> std::unique_ptr<Initializer> {
    return nullptr;
  };
  registry.add(scheme);
  EXPECT_THAT(
      message_of<PluginError>([&] { registry.create("null", {}); }),
      HasSubstr("scheme \"null\" created nothing"));
}

TEST(Registry, InitializerKeepsItsLibraryAliveAfterRegistryIsGone) {
  bool unloaded = false;
  // Stands in for a library handle: "unloads" when the last owner lets go.
  LibraryHandle library(
      static_cast<const void*>(&unloaded),
      [&unloaded](const void*) { unloaded = true; });
  std::shared_ptr<const Initializer> made;
  {
    Registry registry;
    {
      Registry::LibraryScope scope(
          registry, "/p/libfake.so", "fake", "1", std::move(library));
      registry.add(fixed_scheme("fixed"));
    }
    made = registry.create("fixed", {{"val", 2.0}});
  }
  EXPECT_FALSE(unloaded);
  EXPECT_EQ(dynamic_cast<const Fixed&>(*made).value(), 2.0);
  made.reset();
  EXPECT_TRUE(unloaded);
}

TEST(Registry, SchemesAddedAfterScopeClosesHaveNoLibrary) {
  Registry registry;
  {
    Registry::LibraryScope scope(registry, "/p/liba.so", "a", "1", nullptr);
    registry.add(fixed_scheme("inside"));
  }
  registry.add(fixed_scheme("outside"));
  EXPECT_EQ(registry.find("inside").library_path, "/p/liba.so");
  EXPECT_EQ(registry.find("outside").library_path, "");
}

}  // namespace
}  // namespace initforge
