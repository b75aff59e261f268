// SPDX-License-Identifier: Apache-2.0
#include "framework/io/tensor_checksums.h"

#include <cstdint>
#include <cstdio>
#include <utility>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The checksum map's entry for the metadata; no tensor can have this name.
constexpr const char* kMetadataEntry = "__metadata__";
constexpr const char* kInitforgePrefix = "initforge.";

std::string crc32_hex(std::span<const std::byte> bytes) {
  const auto crc = ::crc32_z(
      ::crc32_z(0L, Z_NULL, 0),
      reinterpret_cast<const Bytef*>(bytes.data()),
      bytes.size());
  char text[9];
  std::snprintf(text, sizeof text, "%08lx", static_cast<unsigned long>(crc));
  return text;
}

// The metadata other than the checksum map, as the text its CRC covers.
std::string metadata_text(const std::map<std::string, std::string>& metadata) {
  json object = json::object();
  for (const auto& [key, value] : metadata) {
    if (key != kChecksumKey) object[key] = value;
  }
  return object.dump();
}

std::string metadata_crc(const std::map<std::string, std::string>& metadata) {
  const std::string text = metadata_text(metadata);
  return crc32_hex(std::as_bytes(std::span(text.data(), text.size())));
}

bool is_crc_text(const std::string& text) {
  if (text.size() != 8) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

[[noreturn]] void corrupt(const fs::path& path, const std::string& what) {
  throw IoError(path.string() + ": " + what + ": the file is corrupt");
}

// The stored map; IoError unless it is an object of CRC strings.
std::map<std::string, std::string> stored_checksums(
    const fs::path& path, const std::string& text) {
  std::map<std::string, std::string> stored;
  try {
    stored = json::parse(text).get<std::map<std::string, std::string>>();
  } catch (const json::exception&) {
    corrupt(
        path,
        std::string("metadata ") + kChecksumKey +
            " is not a JSON object of checksum strings");
  }
  for (const auto& [name, crc] : stored) {
    if (!is_crc_text(crc)) {
      corrupt(
          path,
          std::string(kChecksumKey) + " entry \"" + name + "\" is \"" + crc +
              "\", not 8 lowercase hex digits");
    }
  }
  return stored;
}

// The first metadata key initforge wrote, if any.
const std::string* initforge_key(
    const std::map<std::string, std::string>& metadata) {
  for (const auto& [key, value] : metadata) {
    if (key.starts_with(kInitforgePrefix)) return &key;
  }
  return nullptr;
}

void check_entry(
    const fs::path& path,
    std::map<std::string, std::string>& stored,
    const std::string& name,
    const std::string& what,
    const std::string& computed) {
  const auto it = stored.find(name);
  if (it == stored.end()) {
    corrupt(path, what + ": no checksum in " + kChecksumKey);
  }
  if (it->second != computed) {
    corrupt(
        path,
        what + ": checksum mismatch (stored " + it->second + ", computed " +
            computed + ")");
  }
  stored.erase(it);
}

}  // namespace

std::map<std::string, std::string> with_checksums(
    std::span<const SafetensorsTensor> tensors,
    std::map<std::string, std::string> metadata) {
  if (metadata.count(kChecksumKey) != 0) {
    throw InvalidArgument(
        std::string("with_checksums: the metadata already holds ") +
        kChecksumKey);
  }
  json crcs = json::object();
  for (const SafetensorsTensor& t : tensors) {
    crcs[t.name] = crc32_hex(t.bytes);
  }
  crcs[kMetadataEntry] = metadata_crc(metadata);
  metadata.emplace(kChecksumKey, crcs.dump());
  return metadata;
}

void write_checksummed_safetensors(
    const fs::path& path,
    std::span<const SafetensorsTensor> tensors,
    const std::map<std::string, std::string>& metadata) {
  write_safetensors(path, tensors, with_checksums(tensors, metadata));
}

void verify_checksums(const fs::path& path, const SafetensorsFile& file) {
  const auto found = file.metadata.find(kChecksumKey);
  if (found == file.metadata.end()) {
    if (const std::string* key = initforge_key(file.metadata)) {
      corrupt(
          path,
          "written by initforge (metadata " + *key + ") but without " +
              kChecksumKey +
              " checksums: an initforge older than checksums wrote it, or "
              "its header is damaged, so it cannot be verified");
    }
    return;  // PyTorch's or another tool's file: nothing to verify against
  }
  std::map<std::string, std::string> stored =
      stored_checksums(path, found->second);
  check_entry(
      path, stored, kMetadataEntry, "metadata", metadata_crc(file.metadata));
  for (const SafetensorsEntry& t : file.tensors) {
    check_entry(path, stored, t.name, "tensor " + t.name, crc32_hex(t.bytes));
  }
  if (!stored.empty()) {
    corrupt(
        path,
        std::string(kChecksumKey) + " has a checksum for tensor " +
            stored.begin()->first + ", which the file does not hold");
  }
}

SafetensorsFile read_verified_safetensors(const fs::path& path) {
  SafetensorsFile file = read_safetensors(path);
  verify_checksums(path, file);
  return file;
}

}  // namespace initforge
