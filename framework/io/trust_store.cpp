// SPDX-License-Identifier: Apache-2.0
#include "framework/io/trust_store.h"

#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/io/text_file.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kVersion = 1;

bool is_sha256_hex(const std::string& text) {
  return text.size() == 64 &&
         text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TrustedDirectory parse_directory(
    const json& entry, const std::string& file, const std::string& at) {
  if (!entry.is_object()) {
    throw ConfigError(file, at, expected_got("an object", entry.dump()));
  }
  TrustedDirectory dir;
  const auto path = entry.find("path");
  if (path == entry.end() || !path->is_string() ||
      !fs::path(path->get<std::string>()).is_absolute()) {
    throw ConfigError(file, at + "/path", "expected an absolute path");
  }
  dir.path = path->get<std::string>();
  if (const auto when = entry.find("trusted_at"); when != entry.end()) {
    if (!when->is_string()) {
      throw ConfigError(file, at + "/trusted_at", "expected a string");
    }
    dir.trusted_at = when->get<std::string>();
  }
  const auto libraries = entry.find("libraries");
  if (libraries == entry.end() || !libraries->is_object()) {
    throw ConfigError(
        file, at + "/libraries", "expected an object of file name -> SHA-256");
  }
  for (const auto& [name, hash] : libraries->items()) {
    if (!hash.is_string() || !is_sha256_hex(hash.get<std::string>()) ||
        name.empty() || name.find('/') != std::string::npos) {
      throw ConfigError(
          file,
          at + "/libraries" + (json::json_pointer() / name).to_string(),
          expected_got(
              "a file name with 64 lowercase hex digits", hash.dump()));
    }
    dir.libraries[name] = hash.get<std::string>();
  }
  return dir;
}

}  // namespace

std::vector<TrustedDirectory> read_trusted_directories(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return {};
  std::ifstream in(file, std::ios::binary);
  if (!in) throw IoError(file.string() + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  const std::string name = file.string();
  json root;
  try {
    root = json::parse(text.str());
  } catch (const json::exception& e) {
    throw ConfigError(name, "", std::string("malformed JSON: ") + e.what());
  }
  if (!root.is_object()) throw ConfigError(name, "", "expected an object");
  const auto version = root.find("version");
  if (version == root.end() || *version != kVersion) {
    throw ConfigError(
        name,
        "/version",
        expected_got(
            std::to_string(kVersion),
            version == root.end() ? std::string("nothing") : version->dump()));
  }
  const auto dirs = root.find("directories");
  if (dirs == root.end() || !dirs->is_array()) {
    throw ConfigError(name, "/directories", "expected an array");
  }
  std::vector<TrustedDirectory> out;
  for (std::size_t i = 0; i < dirs->size(); ++i) {
    out.push_back(
        parse_directory((*dirs)[i], name, "/directories/" + std::to_string(i)));
  }
  return out;
}

void write_trusted_directories(
    const fs::path& file, const std::vector<TrustedDirectory>& directories) {
  json dirs = json::array();
  for (const TrustedDirectory& dir : directories) {
    dirs.push_back(
        {{"path", dir.path},
         {"trusted_at", dir.trusted_at},
         {"libraries", dir.libraries}});
  }
  const json root = {{"version", kVersion}, {"directories", dirs}};
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) {
    throw IoError(
        file.parent_path().string() + ": cannot be created: " + ec.message());
  }
  write_text_atomically(file, root.dump(2) + "\n");
}

}  // namespace initforge
