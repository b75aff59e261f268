// SPDX-License-Identifier: Apache-2.0
// `initforge new-plugin`: the scaffold builds unmodified against the
// installed package, its README's config loads it and the values are the
// scheme's; the refusals (bad name, occupied directory, built-in name).
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "tests/package/package_util.h"
#include "tests/testing/scoped_env.h"

namespace initforge::testing {
namespace {

// The first ```json block of a README.
std::string json_block(const std::string& readme) {
  const std::string open = "```json\n";
  const std::size_t begin = readme.find(open);
  if (begin == std::string::npos) return "";
  const std::size_t end = readme.find("```", begin + open.size());
  return readme.substr(begin + open.size(), end - begin - open.size());
}

ProcessResult new_plugin(
    const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> argv = {installed_cli(), "new-plugin"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, cwd);
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(NewPlugin, ScaffoldBuildsUnmodifiedAndLoadsThroughItsReadmeConfig) {
  const fs::path work = fresh_work_dir("new_plugin_scaffold");
  const ProcessResult written = new_plugin({"gain_uniform"}, work);
  expect_clean_success(written);
  const fs::path project = work / "gain_uniform";
  EXPECT_EQ(
      entries(project),
      (std::vector<std::string>{
          "CMakeLists.txt", "README.md", "gain_uniform.cpp"}));
  EXPECT_EQ(entries(work), std::vector<std::string>{"gain_uniform"});
  EXPECT_NE(
      written.out.find("gain_uniform/gain_uniform.cpp"), std::string::npos)
      << written.text;
  EXPECT_NE(written.out.find("check-plugin gain_uniform"), std::string::npos)
      << written.text;
  EXPECT_NE(
      read_text(project / "CMakeLists.txt")
          .find("find_package(initforge 0.1 CONFIG REQUIRED)"),
      std::string::npos);
  const std::string readme = read_text(project / "README.md");
  EXPECT_NE(
      readme.find(
          "cmake -S . -B build -DCMAKE_PREFIX_PATH=" +
          package_prefix().string() + "\n"),
      std::string::npos)
      << readme;
  EXPECT_NE(
      readme.find(installed_cli().string() + " check-plugin gain_uniform"),
      std::string::npos)
      << readme;

  const ProcessResult configured =
      configure_project(project, project / "build");
  ASSERT_EQ(configured.exit_code, 0) << configured.text;
  const ProcessResult built = build_project(project / "build");
  ASSERT_EQ(built.exit_code, 0) << built.text;

  // Its README's check command: every conformance check passes.
  const ProcessResult checked = run_process(
      {installed_cli(),
       "check-plugin",
       "gain_uniform",
       "--plugin-dir",
       "build"},
      project);
  expect_clean_success(checked);
  EXPECT_NE(checked.out.find(" 0 skipped, 0 failed"), std::string::npos)
      << checked.text;

  const std::string config = json_block(readme);
  ASSERT_FALSE(config.empty()) << readme;
  std::ofstream(project / "example.json") << config;
  // Its README trusts build/ before the config may load it.
  ASSERT_NE(
      readme.find(installed_cli().string() + " trust build"), std::string::npos)
      << readme;
  const ScopedEnv config_home("XDG_CONFIG_HOME", (project / "config").c_str());
  expect_clean_success(
      run_process({installed_cli(), "trust", "build"}, project));
  const fs::path weights = project / "weights.safetensors";
  const ProcessResult run = run_process(
      {installed_cli(),
       "run",
       "example.json",
       "--batch",
       "2",
       "--save-weights",
       weights.string()},
      project);
  expect_clean_success(run);

  // U(-b, b), b = gain * sqrt(3 / fan_in), gain sqrt(2) by the README's
  // rule: the same generator call as the scheme, so the same bits.
  const SafetensorsFile file = read_safetensors(weights);
  const double gain = 1.4142135623730951;
  for (const auto& [path, fan_in, numel] :
       {std::tuple<std::string, int, std::size_t>{"fc1.weight", 64, 32 * 64},
        std::tuple<std::string, int, std::size_t>{"fc2.weight", 32, 10 * 32}}) {
    const double b = gain * std::sqrt(3.0 / static_cast<double>(fan_in));
    EXPECT_EQ(saved_values(file, path), philox_uniform(0, path, numel, -b, b))
        << path;
  }
}

TEST(NewPlugin, RefusesANameThatIsNotASchemeName) {
  const fs::path work = fresh_work_dir("new_plugin_bad_name");
  for (const std::string name : {"MyScheme", "9lives", "my-scheme", ""}) {
    const ProcessResult r = new_plugin({name}, work);
    EXPECT_EQ(r.exit_code, 2) << r.text;
    EXPECT_NE(
        r.err.find("is not a scheme name: expected [a-z][a-z0-9_]*"),
        std::string::npos)
        << r.text;
  }
  const ProcessResult reserved = new_plugin({"test"}, work);
  EXPECT_EQ(reserved.exit_code, 2) << reserved.text;
  EXPECT_NE(
      reserved.err.find("\"test\" is reserved by CMake as a target name"),
      std::string::npos)
      << reserved.text;
  EXPECT_TRUE(entries(work).empty());
}

TEST(NewPlugin, RefusesTheNameOfABuiltinScheme) {
  const fs::path work = fresh_work_dir("new_plugin_builtin_name");
  const ProcessResult r = new_plugin({"kaiming_normal"}, work);
  EXPECT_EQ(r.exit_code, 2) << r.text;
  EXPECT_NE(
      r.err.find("\"kaiming_normal\" is already a built-in scheme "
                 "(libinitforge_variance_scaling.so)"),
      std::string::npos)
      << r.text;
  EXPECT_TRUE(entries(work).empty());
}

TEST(NewPlugin, RefusesAnOccupiedDirectoryAndFillsAnEmptyOne) {
  const fs::path work = fresh_work_dir("new_plugin_dirs");
  fs::create_directories(work / "full");
  std::ofstream(work / "full/keep.txt") << "mine";
  const ProcessResult full = new_plugin({"my_scheme", "full"}, work);
  EXPECT_EQ(full.exit_code, 2) << full.text;
  EXPECT_NE(full.err.find("full exists and is not empty"), std::string::npos)
      << full.text;
  EXPECT_EQ(entries(work / "full"), std::vector<std::string>{"keep.txt"});

  std::ofstream(work / "file") << "x";
  const ProcessResult file = new_plugin({"my_scheme", "file"}, work);
  EXPECT_EQ(file.exit_code, 2) << file.text;
  EXPECT_NE(
      file.err.find("file exists and is not a directory"), std::string::npos)
      << file.text;

  fs::create_directories(work / "empty");
  const ProcessResult empty = new_plugin({"my_scheme", "empty"}, work);
  expect_clean_success(empty);
  EXPECT_EQ(
      entries(work / "empty"),
      (std::vector<std::string>{
          "CMakeLists.txt", "README.md", "my_scheme.cpp"}));
  // A missing parent is created; nothing temporary is left next to DIR.
  const ProcessResult nested = new_plugin({"my_scheme", "a/b/c"}, work);
  expect_clean_success(nested);
  EXPECT_EQ(entries(work / "a/b"), std::vector<std::string>{"c"});
  EXPECT_EQ(
      entries(work), (std::vector<std::string>{"a", "empty", "file", "full"}));
}

// From a build tree there is no package next to the executable: the README
// says to install first instead of naming a prefix that does not exist.
TEST(NewPlugin, FromTheBuildTreeTellsToInstallFirst) {
  const fs::path work = fresh_work_dir("new_plugin_build_tree");
  const ProcessResult r = run_process(
      {fs::path(INITFORGE_BUILD_DIR) / "initforge", "new-plugin", "my_scheme"},
      work);
  expect_clean_success(r);
  EXPECT_NE(r.out.find("install it first"), std::string::npos) << r.text;
  const std::string readme = read_text(work / "my_scheme/README.md");
  EXPECT_NE(readme.find("-DCMAKE_PREFIX_PATH=PREFIX\n"), std::string::npos)
      << readme;
  EXPECT_NE(readme.find("install it first"), std::string::npos) << readme;
}

}  // namespace
}  // namespace initforge::testing
