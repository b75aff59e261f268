// SPDX-License-Identifier: Apache-2.0
#include "framework/plugin/loader.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "framework/core/error.h"
#include "framework/core/tensor.h"

#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

using initforge::testing::TempDir;

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path fixture(const std::string& name) {
  return fs::path(INITFORGE_FIXTURE_DIR) / name / ("lib" + name + ".so");
}

// The fixture scheme draws nothing; any draw would be a test failure.
class NoRandomness final : public Generator {
 public:
  std::string_view name() const override {
    return "none";
  }
  void uniform(std::span<float>, double, double) override {
    ADD_FAILURE() << "unexpected draw";
  }
  void normal(std::span<float>, double, double) override {
    ADD_FAILURE() << "unexpected draw";
  }
  void truncated_normal(
      std::span<float>, double, double, double, double) override {
    ADD_FAILURE() << "unexpected draw";
  }
  void random_u32(std::span<std::uint32_t>) override {
    ADD_FAILURE() << "unexpected draw";
  }
  void permutation(std::span<std::int64_t>) override {
    ADD_FAILURE() << "unexpected draw";
  }
};

std::string load_error(const fs::path& library, Registry& registry) {
  try {
    load_plugin(library, registry);
  } catch (const PluginError& e) {
    EXPECT_EQ(e.library_path(), library.string());
    return e.what();
  }
  ADD_FAILURE() << "expected PluginError loading " << library;
  return "";
}

TEST(Loader, LoadsGoodPluginWithItsNameAndVersion) {
  Registry registry;
  load_plugin(fixture("fixture_good"), registry);
  ASSERT_TRUE(registry.contains("fixture_const"));
  const RegisteredScheme& scheme = registry.find("fixture_const");
  EXPECT_EQ(scheme.library_path, fixture("fixture_good").string());
  EXPECT_EQ(scheme.library_name, "fixture_good");
  EXPECT_EQ(scheme.library_version, "1.2.3");
  EXPECT_NE(scheme.library, nullptr);
  ASSERT_EQ(scheme.info.args.size(), 1u);
  EXPECT_EQ(scheme.info.args[0].name, "val");
}

TEST(Loader, InitializerOutlivesRegistryAndStillFills) {
  std::shared_ptr<const Initializer> made;
  {
    Registry registry;
    load_plugin(fixture("fixture_good"), registry);
    made = registry.create("fixture_const", {{"val", 0.25}});
  }
  // The registry (and its handle) is gone; the object still holds the
  // library, so calling into plugin code is safe.
  Tensor t = Tensor::empty(Shape{3, 4});
  const ParamInfo param{.path = "w", .shape = t.shape(), .fans = {}};
  NoRandomness gen;
  made->fill(t.view(), {.param = param, .gen = gen});
  for (const float x : t.span()) EXPECT_EQ(x, 0.25f);
  EXPECT_EQ(made->target(param).mean, 0.25);
}

TEST(Loader, WrongAbiVersionIsRefusedBeforeRegistering) {
  Registry registry;
  const std::string message =
      load_error(fixture("fixture_wrong_abi"), registry);
  EXPECT_THAT(
      message,
      HasSubstr("ABI version 999, this initforge expects 2; rebuild the plugin "
                "against this initforge"));
  EXPECT_THAT(message, HasSubstr("libfixture_wrong_abi.so"));
  EXPECT_TRUE(registry.names().empty());
}

TEST(Loader, LibraryWithoutEntryPointIsRefused) {
  Registry registry;
  EXPECT_THAT(
      load_error(fixture("fixture_no_entry"), registry),
      HasSubstr(
          "has no initforge_plugin entry point; is it an initforge plugin?"));
}

TEST(Loader, DuplicateSchemeAcrossLibrariesNamesBothPaths) {
  Registry registry;
  load_plugin(fixture("fixture_good"), registry);
  const std::string message = load_error(fixture("fixture_dup"), registry);
  EXPECT_THAT(
      message,
      HasSubstr(
          "scheme \"fixture_const\" from " + fixture("fixture_dup").string() +
          " is already registered by " + fixture("fixture_good").string()));
  EXPECT_EQ(
      registry.find("fixture_const").library_path,
      fixture("fixture_good").string());
}

TEST(Loader, SameLibraryTwiceSaysAlreadyLoaded) {
  Registry registry;
  load_plugin(fixture("fixture_good"), registry);
  const fs::path again =
      fixture("fixture_good").parent_path() / "." / "libfixture_good.so";
  EXPECT_THAT(
      load_error(again, registry),
      HasSubstr("is already loaded (as " + fixture("fixture_good").string()));
}

TEST(Loader, LoadsTheFileItCheckedEvenWhenThePathIsSwappedAfter) {
  const TempDir dir;
  const fs::path library = dir.path() / "libswap.so";
  fs::copy_file(fixture("fixture_good"), library);
  PluginLoadChecks checks;
  bool verified = false;
  checks.verify = [&](int fd) {
    // The check has run on `fd`; now swap another library in at the path.
    fs::copy_file(fixture("fixture_other"), dir.path() / "libnew.so");
    fs::rename(dir.path() / "libnew.so", library);
    verified = fd >= 0;
  };
  Registry registry;
  load_plugin(library, registry, checks);
  EXPECT_TRUE(verified);
  EXPECT_TRUE(registry.contains("fixture_const"));  // the file checked
  EXPECT_FALSE(registry.contains("fixture_other"));
  EXPECT_EQ(registry.find("fixture_const").library_path, library.string());
}

TEST(Loader, RefusalByVerifyLoadsNothing) {
  PluginLoadChecks checks;
  checks.verify = [](int) { throw PluginError("x", "not trusted"); };
  Registry registry;
  EXPECT_THROW(
      load_plugin(fixture("fixture_other"), registry, checks), PluginError);
  EXPECT_TRUE(registry.names().empty());
}

// dlopen matches a loaded object's name "/proc/self/fd/N" before the file,
// and N is free again once the first load is over: the second library must
// still be itself, not the first one again.
TEST(Loader, SecondLibraryThroughAReusedDescriptorIsItself) {
  Registry registry;
  load_plugin(fixture("fixture_good"), registry);
  load_plugin(fixture("fixture_other"), registry);
  EXPECT_EQ(
      registry.names(),
      (std::vector<std::string>{"fixture_const", "fixture_other"}));
  EXPECT_EQ(
      registry.find("fixture_other").library_path,
      fixture("fixture_other").string());
}

// A file loaded again (into a second Registry) keeps its first name and gets
// the new "/proc/self/fd/M" as an alias that dl_iterate_phdr does not list;
// a later library opened as M must still be itself, not that file.
TEST(Loader, LibraryThroughANameAnotherLoadLeftBehindIsItself) {
  Registry first;
  load_plugin(fixture("fixture_good"), first);
  Registry second;
  load_plugin(fixture("fixture_good"), second);
  load_plugin(fixture("fixture_other"), second);
  EXPECT_EQ(
      second.names(),
      (std::vector<std::string>{"fixture_const", "fixture_other"}));
  EXPECT_EQ(
      second.find("fixture_other").library_path,
      fixture("fixture_other").string());
}

TEST(Loader, FifoIsRefusedWithoutBlocking) {
  const TempDir dir;
  const fs::path fifo = dir.path() / "libfifo.so";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Registry registry;
  EXPECT_THAT(load_error(fifo, registry), HasSubstr("is not a regular file"));
}

TEST(Loader, TextFileNamedLikeALibraryIsNotAnElf) {
  const TempDir dir;
  const fs::path fake = dir.path() / "libnot_elf.so";
  std::ofstream(fake) << "this is not a shared library\n";
  Registry registry;
  EXPECT_THAT(
      load_error(fake, registry),
      HasSubstr("cannot be loaded: not an ELF shared library"));
}

TEST(Loader, MissingFileSaysNoSuchFile) {
  Registry registry;
  const fs::path missing = fs::path(INITFORGE_FIXTURE_DIR) / "libnope.so";
  EXPECT_EQ(
      load_error(missing, registry),
      "plugin " + missing.string() + ": no such file");
}

TEST(Loader, DirectoryIsNotALibrary) {
  const TempDir dir;
  Registry registry;
  EXPECT_THAT(
      load_error(dir.path(), registry),
      HasSubstr("is a directory, not a shared library"));
}

TEST(Loader, UnresolvedSymbolFailsAtLoadNotAtCall) {
  Registry registry;
  EXPECT_THAT(
      load_error(fixture("fixture_undefined"), registry),
      HasSubstr("undefined symbol: initforge_fixture_missing_symbol"));
}

TEST(Loader, ThrowingRegisterFunctionRegistersNothing) {
  Registry registry;
  EXPECT_THAT(
      load_error(fixture("fixture_throws"), registry),
      HasSubstr("registering schemes failed: fixture refuses to register"));
  EXPECT_FALSE(registry.contains("fixture_half_registered"));
}

TEST(Loader, DirectoryLoadsLibrariesInNameOrderAndSkipsOtherFiles) {
  const TempDir dir;
  fs::copy_file(fixture("fixture_other"), dir.path() / "libb_other.so");
  fs::copy_file(fixture("fixture_good"), dir.path() / "liba_good.so");
  std::ofstream(dir.path() / "README.txt") << "not a plugin\n";
  std::ofstream(dir.path() / "notes.so") << "no lib prefix: skipped\n";
  Registry registry;
  const auto loaded = load_plugin_dir(dir.path(), registry);
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].filename(), "liba_good.so");
  EXPECT_EQ(loaded[1].filename(), "libb_other.so");
  EXPECT_EQ(
      registry.names(),
      (std::vector<std::string>{"fixture_const", "fixture_other"}));
}

TEST(Loader, DirectoryWithBrokenLibraryFailsNamingIt) {
  const TempDir dir;
  fs::copy_file(fixture("fixture_wrong_abi"), dir.path() / "libbroken.so");
  Registry registry;
  try {
    load_plugin_dir(dir.path(), registry);
    FAIL() << "expected PluginError";
  } catch (const PluginError& e) {
    EXPECT_EQ(e.library_path(), (dir.path() / "libbroken.so").string());
    EXPECT_THAT(e.what(), HasSubstr("ABI version 999"));
  }
}

TEST(Loader, MissingOrNonDirectoryPluginDirIsPluginError) {
  const TempDir dir;
  Registry registry;
  const fs::path missing = dir.path() / "nowhere";
  try {
    load_plugin_dir(missing, registry);
    FAIL() << "expected PluginError";
  } catch (const PluginError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr(missing.string() + ": plugin directory does not exist"));
  }
  const fs::path file = dir.path() / "file.txt";
  std::ofstream(file) << "x";
  try {
    load_plugin_dir(file, registry);
    FAIL() << "expected PluginError";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string() + ": is not a directory"));
  }
}

TEST(Loader, BuiltinPluginDirIsTheBuildTreePluginsDirectory) {
  EXPECT_EQ(builtin_plugin_dir(), fs::path(INITFORGE_TEST_PLUGIN_DIR));
}

}  // namespace
}  // namespace initforge
