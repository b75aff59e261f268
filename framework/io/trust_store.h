// SPDX-License-Identifier: Apache-2.0
#pragma once

// The file `initforge trust` keeps: which plugin directories the user has
// allowed configs to load code from, with a SHA-256 of each library.
//   {"version": 1, "directories": [{"path": "/abs/dir",
//     "trusted_at": "2026-12-03T07:00:00Z",
//     "libraries": {"libmine.so": "<64 hex digits>"}}]}

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "framework/core/export.h"

namespace initforge {

/// One trusted directory.
struct TrustedDirectory {
  std::string path;                              // canonical
  std::string trusted_at;                        // UTC, ISO 8601
  std::map<std::string, std::string> libraries;  // file name -> SHA-256 hex
};

/// Reads `file`; a file that does not exist means nothing is trusted.
/// ConfigError naming the file and JSON pointer when it is malformed.
INITFORGE_API std::vector<TrustedDirectory> read_trusted_directories(
    const std::filesystem::path& file);

/// Writes `file` atomically (creating its directory); IoError on failure.
INITFORGE_API void write_trusted_directories(
    const std::filesystem::path& file,
    const std::vector<TrustedDirectory>& directories);

}  // namespace initforge
