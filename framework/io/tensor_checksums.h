// SPDX-License-Identifier: Apache-2.0
#pragma once

// Per-tensor checksums of the safetensors files initforge writes
// (checkpoints, trained and --save-weights weights): "__metadata__" holds
// "initforge.crc32", a JSON object mapping every tensor's name to the CRC-32
// of its data bytes (zlib's crc32, the same as Python's zlib.crc32) as 8
// lowercase hex digits, and "__metadata__" to the CRC-32 of the other
// metadata (their JSON object text, keys sorted, no spaces). A flipped bit in
// the data, a name or the metadata makes the file fail verification; one in a
// dtype, shape or offset already fails read_safetensors' layout checks.

#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "framework/core/export.h"
#include "framework/io/safetensors.h"

namespace initforge {

/// Metadata key of the checksum map.
inline constexpr const char* kChecksumKey = "initforge.crc32";

/// `metadata` with kChecksumKey added for `tensors`. InvalidArgument when
/// `metadata` already holds kChecksumKey.
INITFORGE_API std::map<std::string, std::string> with_checksums(
    std::span<const SafetensorsTensor> tensors,
    std::map<std::string, std::string> metadata);

/// write_safetensors with the checksums added to `metadata`.
INITFORGE_API void write_checksummed_safetensors(
    const std::filesystem::path& path,
    std::span<const SafetensorsTensor> tensors,
    const std::map<std::string, std::string>& metadata);

/// Checks `file` (read from `path`) against its checksums. A file with a
/// checksum map must match it exactly: every tensor and the metadata have an
/// entry with the stored value, and no entry names anything else. A file
/// without one loads unverified only when no metadata key starts with
/// "initforge." (written by PyTorch or another tool); initforge's own files
/// always carry checksums, so one without (an older initforge's, or a
/// damaged key) is refused. Throws IoError naming the file, the tensor and
/// what was wrong.
INITFORGE_API void verify_checksums(
    const std::filesystem::path& path, const SafetensorsFile& file);

/// read_safetensors, then verify_checksums: how initforge loads every file.
INITFORGE_API SafetensorsFile
read_verified_safetensors(const std::filesystem::path& path);

}  // namespace initforge
