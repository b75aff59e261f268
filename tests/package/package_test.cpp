// SPDX-License-Identifier: Apache-2.0
// The installed package: layout, the installed CLI finding its plugins (also
// after the prefix is moved), SameMajorVersion, and configs/custom_plugin
// built against the prefix alone and run through its config.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/package/package_util.h"
#include "tests/testing/scoped_env.h"

namespace initforge::testing {
namespace {

const fs::path kDatasetDir = "/usr/share/datasets/fashion-mnist";

const char* const kBuiltinLibraries[] = {
    "libinitforge_random.so",
    "libinitforge_constant.so",
    "libinitforge_variance_scaling.so",
    "libinitforge_orthogonal.so",
    "libinitforge_sparse.so"};

// The inverse-CDF transform of configs/custom_plugin/triangular.cpp.
float triangular(float uniform, double c) {
  const double u = uniform;
  return static_cast<float>(
      u < 0.5 ? c * (std::sqrt(2.0 * u) - 1.0)
              : c * (1.0 - std::sqrt(2.0 - 2.0 * u)));
}

TEST(PackageInstall, PutsEveryPieceUnderThePrefix) {
  const fs::path p = package_prefix();
  const fs::path lib = p / INITFORGE_INSTALL_LIBDIR;
  for (const fs::path& file :
       {p / "bin/initforge",
        lib / "libinitforge_core.so",
        lib / "libinitforge_layers.so",
        lib / "libinitforge_model.so",
        lib / "libinitforge_train.so",
        lib / "cmake/initforge/initforgeConfig.cmake",
        lib / "cmake/initforge/initforgeConfigVersion.cmake",
        lib / "cmake/initforge/initforgeTargets.cmake",
        lib / "cmake/initforge/InitforgePlugin.cmake",
        p / "include/initforge/framework/plugin/plugin.h",
        p / "include/initforge/framework/core/tensor_view.h",
        p / "include/initforge/framework/init/initializer.h",
        p / "share/initforge/plot_training.py"}) {
    EXPECT_TRUE(fs::exists(file)) << file;
  }
  for (const char* library : kBuiltinLibraries) {
    EXPECT_TRUE(fs::exists(installed_plugin_dir() / library)) << library;
  }
  // Test fixtures are not installed plugins.
  EXPECT_FALSE(fs::exists(installed_plugin_dir() / "libfixture_good.so"));
}

TEST(PackageInstall, CliListsItsBuiltinPluginsWithNoOptions) {
  const fs::path work = fresh_work_dir("list_plugins");
  const ProcessResult r = run_process({installed_cli(), "plugins"}, work);
  expect_clean_success(r);
  for (const char* library : kBuiltinLibraries) {
    EXPECT_NE(
        r.out.find((installed_plugin_dir() / library).string()),
        std::string::npos)
        << library << "\n"
        << r.text;
  }
  // Not the build tree's plugins (the prefix lies inside the build tree).
  EXPECT_EQ(
      r.out.find(std::string(INITFORGE_BUILD_DIR) + "/plugins"),
      std::string::npos)
      << r.text;
}

// A copy of the prefix elsewhere (hard links: same bytes, new paths).
fs::path copy_of_prefix(const std::string& work_name) {
  const fs::path copy = fresh_work_dir(work_name) / "elsewhere";
  fs::copy(
      package_prefix(),
      copy,
      fs::copy_options::recursive | fs::copy_options::copy_symlinks |
          fs::copy_options::create_hard_links);
  return copy;
}

// Every RPATH is relative and the plugin directory is found next to the
// loaded libinitforge_core: a copy of the prefix uses only itself.
TEST(PackageInstall, MovedPrefixStillFindsItsLibrariesAndPlugins) {
  const fs::path moved = copy_of_prefix("moved_prefix");
  const ProcessResult r =
      run_process({moved / "bin/initforge", "plugins"}, moved);
  expect_clean_success(r);
  const fs::path plugins =
      moved / INITFORGE_INSTALL_LIBDIR / "initforge" / "plugins";
  EXPECT_NE(
      r.out.find((plugins / "libinitforge_random.so").string()),
      std::string::npos)
      << r.text;
  EXPECT_EQ(r.out.find(package_prefix().string() + "/"), std::string::npos)
      << r.text;
}

// `train` runs the plot script installed next to it, not the source tree's:
// a stand-in that only prints proves which one ran.
TEST(PackageInstall, TrainRunsThePlotScriptInstalledNextToIt) {
  if (!fs::exists(kDatasetDir)) GTEST_SKIP() << "no " << kDatasetDir;
  const fs::path moved = copy_of_prefix("plot_script");
  const fs::path script = moved / "share/initforge/plot_training.py";
  fs::remove(script);  // a hard link: never write through it
  std::ofstream(script) << "print('stand-in plot script ran')\n";
  const fs::path work = moved.parent_path();
  const ProcessResult r = run_process(
      {moved / "bin/initforge",
       "train",
       fs::path(INITFORGE_SOURCE_DIR) / "configs/mlp.json",
       "--epochs",
       "1",
       "--train-subset",
       "128",
       "--test-subset",
       "128",
       "--out",
       (work / "run").string()},
      work);
  expect_clean_success(r);
  EXPECT_NE(r.out.find("stand-in plot script ran"), std::string::npos)
      << r.text;
}

// initforgeConfigVersion.cmake is SameMajorVersion: 0.1 is found, another
// major version (or a newer minor one) is not.
TEST(PackageFind, ChecksTheRequestedVersion) {
  const fs::path work = fresh_work_dir("find_version");
  const auto try_version = [&](const std::string& version) {
    const fs::path source = work / ("v" + version);
    fs::create_directories(source);
    std::ofstream(source / "CMakeLists.txt")
        << "cmake_minimum_required(VERSION 3.25)\n"
           "project(version_probe LANGUAGES NONE)\n"
           "find_package(initforge "
        << version << " CONFIG REQUIRED)\n";
    return configure_project(source, source / "build");
  };
  const ProcessResult same = try_version("0.1");
  EXPECT_EQ(same.exit_code, 0) << same.text;
  EXPECT_EQ(
      cache_value(work / "v0.1/build", "initforge_DIR"),
      (package_prefix() / INITFORGE_INSTALL_LIBDIR / "cmake/initforge")
          .string());
  for (const std::string version : {"1.0", "0.2"}) {
    const ProcessResult other = try_version(version);
    EXPECT_NE(other.exit_code, 0) << other.text;
    EXPECT_NE(
        other.err.find("compatible with requested version \"" + version),
        std::string::npos)
        << other.text;
    EXPECT_NE(other.err.find("version: 0.1.0"), std::string::npos)
        << other.text;
  }
}

// configs/custom_plugin, copied elsewhere, built against the prefix alone,
// then run by the installed CLI through its config.
TEST(CustomPlugin, BuildsAgainstThePackageAndInitializesItsConfig) {
  const fs::path project = fresh_work_dir("custom_plugin") / "project";
  fs::copy(
      fs::path(INITFORGE_SOURCE_DIR) / "configs/custom_plugin",
      project,
      fs::copy_options::recursive);
  fs::remove_all(project / "build");  // a stale in-source build, if any
  const ProcessResult configured =
      configure_project(project, project / "build");
  ASSERT_EQ(configured.exit_code, 0) << configured.text;
  EXPECT_EQ(
      cache_value(project / "build", "initforge_DIR"),
      (package_prefix() / INITFORGE_INSTALL_LIBDIR / "cmake/initforge")
          .string());
  const ProcessResult built = build_project(project / "build");
  ASSERT_EQ(built.exit_code, 0) << built.text;
  ASSERT_TRUE(fs::exists(project / "build/libtriangular.so"));
  // Conformance: the KS checks are skipped (no declared target), the rest
  // pass.
  const ProcessResult checked = run_process(
      {installed_cli(), "check-plugin", "triangular", "--plugin-dir", "build"},
      project);
  expect_clean_success(checked);
  EXPECT_NE(checked.out.find(" 0 failed"), std::string::npos) << checked.text;

  // The config brings build/'s library: trust it first, as the README says
  // (the trust store lives in the work directory, not the real home).
  const ScopedEnv config_home("XDG_CONFIG_HOME", (project / "config").c_str());
  expect_clean_success(
      run_process({installed_cli(), "trust", "build"}, project));
  const fs::path weights = project / "weights.safetensors";
  const ProcessResult run = run_process(
      {installed_cli(),
       "run",
       "model.json",
       "--batch",
       "2",
       "--save-weights",
       weights.string()},
      project);
  expect_clean_success(run);
  const SafetensorsFile file = read_safetensors(weights);
  std::string manifest;  // the init manifest records the library
  for (const auto& [key, value] : file.metadata) manifest += value;
  EXPECT_NE(manifest.find("build/libtriangular.so\""), std::string::npos)
      << manifest;

  // fc1: init_rules' triangular, gain sqrt(2), fan_in 64; fc2: its own
  // init, gain 1, fan_in 128. Biases: the "*.bias" rule's zeros.
  struct Expected {
    std::string path;
    std::size_t numel;
    double c;
  };
  for (const Expected& e :
       {Expected{"fc1.weight", 128 * 64, std::sqrt(2.0) * std::sqrt(6.0 / 64)},
        Expected{"fc2.weight", 10 * 128, std::sqrt(6.0 / 128)}}) {
    const std::vector<float> got = saved_values(file, e.path);
    const std::vector<float> u = philox_uniform(0, e.path, e.numel, 0.0, 1.0);
    ASSERT_EQ(got.size(), e.numel) << e.path;
    for (std::size_t i = 0; i < got.size(); ++i) {
      ASSERT_NEAR(got[i], triangular(u[i], e.c), 1e-6 * e.c)
          << e.path << "[" << i << "]";
    }
  }
  for (const std::string bias : {"fc1.bias", "fc2.bias"}) {
    for (const float v : saved_values(file, bias)) ASSERT_EQ(v, 0.0f) << bias;
  }
}

// The top-level README's "Write your own initializer" shows the example's
// whole source and build description, so they must not drift apart.
TEST(CustomPlugin, ReadmeShowsItsWholeSourceAndCMakeLists) {
  const fs::path source = INITFORGE_SOURCE_DIR;
  const std::string readme = read_text(source / "README.md");
  for (const char* file : {"triangular.cpp", "CMakeLists.txt"}) {
    const std::string text = read_text(source / "configs/custom_plugin" / file);
    ASSERT_FALSE(text.empty()) << file;
    EXPECT_NE(readme.find("\n" + text + "```\n"), std::string::npos)
        << "README.md does not show configs/custom_plugin/" << file
        << " verbatim";
  }
}

}  // namespace
}  // namespace initforge::testing
