// SPDX-License-Identifier: Apache-2.0
#pragma once

// SHA-256 through OpenSSL's libcrypto (EVP): the hash `initforge trust`
// records for each plugin library a config brings.

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

#include "framework/core/export.h"

namespace initforge {

/// SHA-256 of `data` as 64 lowercase hex digits.
INITFORGE_API std::string sha256_hex(std::span<const std::byte> data);

/// SHA-256 of the whole file `fd` refers to, read with pread from offset 0
/// (the descriptor's offset is left alone). IoError naming `what` when it
/// cannot be read.
INITFORGE_API std::string sha256_hex_of_descriptor(
    int fd, const std::string& what);

/// SHA-256 of the file at `path`; IoError naming it when unreadable.
INITFORGE_API std::string sha256_hex_of_file(const std::filesystem::path& path);

}  // namespace initforge
