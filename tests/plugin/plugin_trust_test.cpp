// SPDX-License-Identifier: Apache-2.0
// Consent for a config's plugin libraries: trusting a directory or a file,
// revoking, the store file, and PluginConsent's verdicts and messages.
#include "framework/plugin/plugin_trust.h"

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/io/sha256.h"
#include "framework/io/trust_store.h"

#include "tests/golden/sha256.h"
#include "tests/testing/scoped_env.h"
#include "tests/testing/temp_dir.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ScopedEnv;
using testing::TempDir;

fs::path fixture(const std::string& name) {
  return fs::path(INITFORGE_FIXTURE_DIR) / name / ("lib" + name + ".so");
}

// TEMP/plugins with fixture_good as liba.so and fixture_other as libb.so.
fs::path two_libraries(const TempDir& tmp) {
  const fs::path dir = tmp.path() / "plugins";
  fs::create_directories(dir);
  fs::copy_file(fixture("fixture_good"), dir / "liba.so");
  fs::copy_file(fixture("fixture_other"), dir / "libb.so");
  std::ofstream(dir / "notes.txt") << "not a library\n";
  return dir;
}

std::string refusal(
    const PluginConsent& consent,
    const fs::path& library,
    const fs::path& location) {
  try {
    consent.require(
        library,
        sha256_hex_of_file(library),
        location,
        "c.json: /plugins/paths/0");
  } catch (const PluginError& e) {
    EXPECT_EQ(e.library_path(), library.string());
    return e.what();
  }
  return "";
}

TEST(Sha256, MatchesFipsVectorsAndTheIndependentTestImplementation) {
  const std::string abc = "abc";
  const auto bytes = std::as_bytes(std::span(abc.data(), abc.size()));
  EXPECT_EQ(
      sha256_hex(bytes),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      sha256_hex({}),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // A file longer than the 64 KiB read buffer, against the test's own code.
  const TempDir tmp;
  std::string text(3 * 65536 + 17, '\0');
  for (std::size_t i = 0; i < text.size(); ++i) {
    text[i] = static_cast<char>((i * 2654435761u) >> 13);
  }
  const fs::path file = tmp.write("big.bin", text);
  EXPECT_EQ(
      sha256_hex_of_file(file),
      testing::sha256_hex(std::as_bytes(std::span(text.data(), text.size()))));
}

TEST(Sha256, UnreadableFileIsAnIoErrorNamingIt) {
  const TempDir tmp;
  try {
    sha256_hex_of_file(tmp.path() / "missing.so");
    ADD_FAILURE() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr((tmp.path() / "missing.so").string()));
  }
}

TEST(PluginTrust, TrustedDirectoryAllowsItsLibrariesWithTheirHashes) {
  const TempDir tmp;
  const fs::path dir = two_libraries(tmp);
  const fs::path store = tmp.path() / "config/initforge/trusted.json";
  const TrustedDirectory record = trust_plugin_location(dir, store);
  EXPECT_EQ(record.path, fs::canonical(dir).string());
  ASSERT_EQ(record.libraries.size(), 2u);  // notes.txt is no library
  EXPECT_EQ(
      record.libraries.at("liba.so"), sha256_hex_of_file(dir / "liba.so"));
  EXPECT_THAT(
      record.trusted_at,
      ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z"));

  const std::vector<TrustedDirectory> read = read_trusted_directories(store);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].libraries, record.libraries);
  const PluginConsent consent(read);
  EXPECT_EQ(refusal(consent, dir / "liba.so", dir), "");
  // The same file through a path with "..": the canonical directory counts.
  EXPECT_EQ(refusal(consent, dir / ".." / "plugins" / "libb.so", dir), "");
}

TEST(PluginTrust, UntrustedLibraryIsRefusedNamingWhoAndBothWaysToAllowIt) {
  const TempDir tmp;
  const fs::path dir = two_libraries(tmp);
  const PluginConsent consent({});
  const std::string message = refusal(consent, dir / "liba.so", dir);
  EXPECT_THAT(
      message,
      HasSubstr(
          "plugin " + (dir / "liba.so").string() +
          ": refusing to load a plugin library a config brings (named by "
          "c.json: /plugins/paths/0): you have not trusted it"));
  EXPECT_THAT(message, HasSubstr("`initforge trust " + dir.string() + "`"));
  EXPECT_THAT(message, HasSubstr("--trust-config-plugins"));
}

TEST(PluginTrust, ChangedLibraryIsRefusedAgain) {
  const TempDir tmp;
  const fs::path dir = two_libraries(tmp);
  const fs::path store = tmp.path() / "trusted.json";
  trust_plugin_location(dir, store);
  std::ofstream(dir / "liba.so", std::ios::app | std::ios::binary) << '\0';
  const PluginConsent consent(read_trusted_directories(store));
  EXPECT_THAT(
      refusal(consent, dir / "liba.so", dir),
      HasSubstr("it changed since you trusted it ("));
  EXPECT_EQ(refusal(consent, dir / "libb.so", dir), "");
}

TEST(PluginTrust, LibraryAddedAfterTrustIsRefused) {
  const TempDir tmp;
  const fs::path dir = two_libraries(tmp);
  const fs::path store = tmp.path() / "trusted.json";
  trust_plugin_location(dir, store);
  fs::copy_file(fixture("fixture_nan"), dir / "libc.so");
  EXPECT_THAT(
      refusal(
          PluginConsent(read_trusted_directories(store)), dir / "libc.so", dir),
      HasSubstr(
          "it was not in " + fs::canonical(dir).string() +
          " when you trusted it"));
}

TEST(PluginTrust, TrustingOneFileAddsItAndRetrustingADirectoryReplaces) {
  const TempDir tmp;
  const fs::path dir = two_libraries(tmp);
  const fs::path store = tmp.path() / "trusted.json";
  const TrustedDirectory one = trust_plugin_location(dir / "libb.so", store);
  EXPECT_EQ(one.libraries.size(), 1u);
  EXPECT_EQ(one.libraries.count("libb.so"), 1u);
  fs::remove(dir / "libb.so");
  const TrustedDirectory all = trust_plugin_location(dir, store);
  EXPECT_EQ(all.libraries.size(), 1u);
  EXPECT_EQ(all.libraries.count("liba.so"), 1u);
  EXPECT_EQ(read_trusted_directories(store).size(), 1u);
}

TEST(PluginTrust, RevokeForgetsTheDirectory) {
  const TempDir tmp;
  const fs::path dir = two_libraries(tmp);
  const fs::path store = tmp.path() / "trusted.json";
  trust_plugin_location(dir, store);
  EXPECT_TRUE(revoke_plugin_directory(dir, store));
  EXPECT_TRUE(read_trusted_directories(store).empty());
  EXPECT_FALSE(revoke_plugin_directory(dir, store));
  EXPECT_THAT(
      refusal(
          PluginConsent(read_trusted_directories(store)), dir / "liba.so", dir),
      HasSubstr("you have not trusted it"));
}

TEST(PluginTrust, NothingToTrustIsBadInput) {
  const TempDir tmp;
  const fs::path store = tmp.path() / "trusted.json";
  EXPECT_THROW(trust_plugin_location(tmp.path() / "nope", store), UsageError);
  fs::create_directories(tmp.path() / "empty");
  EXPECT_THROW(trust_plugin_location(tmp.path() / "empty", store), UsageError);
  EXPECT_FALSE(fs::exists(store));
}

TEST(PluginTrust, MalformedStoreNamesTheFileAndPointer) {
  const TempDir tmp;
  const auto error_of = [&](const std::string& text) {
    const fs::path store = tmp.write("trusted.json", text);
    try {
      read_trusted_directories(store);
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.file(), store.string());
      return e.pointer() + " " + e.what();
    }
    return std::string("no error");
  };
  EXPECT_THAT(error_of("{"), HasSubstr("malformed JSON"));
  EXPECT_THAT(
      error_of(R"({"version": 2, "directories": []})"), HasSubstr("/version"));
  EXPECT_THAT(
      error_of(R"({"version": 1, "directories": [{"path": "rel",
                 "libraries": {}}]})"),
      HasSubstr("/directories/0/path"));
  EXPECT_THAT(
      error_of(R"({"version": 1, "directories": [{"path": "/x",
                 "libraries": {"a/b.so": "00"}}]})"),
      HasSubstr("/directories/0/libraries/a~1b.so"));
  EXPECT_EQ(error_of(R"({"version": 1, "directories": []})"), "no error");
}

TEST(PluginTrust, StoreIsUnderXdgConfigHomeElseHome) {
  {
    const ScopedEnv xdg("XDG_CONFIG_HOME", "/x/config");
    EXPECT_EQ(trust_store_path(), "/x/config/initforge/trusted.json");
  }
  const ScopedEnv home("HOME", "/home/u");
  {
    const ScopedEnv relative("XDG_CONFIG_HOME", "relative");  // ignored
    EXPECT_EQ(trust_store_path(), "/home/u/.config/initforge/trusted.json");
  }
  const ScopedEnv no_xdg("XDG_CONFIG_HOME", nullptr);
  EXPECT_EQ(trust_store_path(), "/home/u/.config/initforge/trusted.json");
  const ScopedEnv no_home("HOME", nullptr);
  EXPECT_THROW(trust_store_path(), UsageError);
}

}  // namespace
}  // namespace initforge
