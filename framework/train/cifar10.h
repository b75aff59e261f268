// SPDX-License-Identifier: Apache-2.0
#pragma once

// CIFAR-10's binary version (cifar-10-batches-bin): records of one label
// byte and 3072 pixel bytes (3 x 32 x 32, channel-major: the red plane,
// then green, then blue, each row by row).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/train/dataset.h"
#include "framework/train/normalizer.h"

namespace initforge {

inline constexpr std::int64_t kCifarImageBytes = 3 * 32 * 32;
inline constexpr std::int64_t kCifarRecordBytes = 1 + kCifarImageBytes;

/// data_batch_1.bin .. data_batch_5.bin for Split::Train, test_batch.bin
/// for Split::Test.
INITFORGE_API std::vector<std::string> cifar10_files(Split split);

/// "FILE: CIFAR-10 file not found; expected ... in DIR".
INITFORGE_API std::string missing_cifar10_message(
    const std::filesystem::path& file, const std::filesystem::path& dir);

/// The split's records in file order as [N, 3, 32, 32] normalized by
/// `norm` (3 channels). IoError naming the file when one is missing, empty,
/// not a whole number of records, or holds a label above 9.
INITFORGE_API Dataset load_cifar10(
    const std::filesystem::path& dir, Split split, const Normalizer& norm);

}  // namespace initforge
