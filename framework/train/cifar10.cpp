// SPDX-License-Identifier: Apache-2.0
#include "framework/train/cifar10.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kPlane = 32 * 32;

// Records in `file`: IoError unless it is a non-empty run of whole records.
std::int64_t count_records(const fs::path& file, const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw IoError(missing_cifar10_message(file, dir));
  }
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) {
    throw IoError(file.string() + ": cannot read the size: " + ec.message());
  }
  const auto record = static_cast<std::uintmax_t>(kCifarRecordBytes);
  if (size == 0 || size % record != 0) {
    throw IoError(
        file.string() + ": " + std::to_string(size) +
        " bytes; expected a non-zero multiple of " + std::to_string(record) +
        " (CIFAR-10 records of 1 label byte and 3072 pixel bytes; is this "
        "the binary version, cifar-10-batches-bin?)");
  }
  return static_cast<std::int64_t>(size / record);
}

std::vector<std::uint8_t> read_bytes(const fs::path& file, std::int64_t n) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n));
  std::ifstream in(file, std::ios::binary);
  in.read(
      reinterpret_cast<char*>(bytes.data()),
      static_cast<std::streamsize>(bytes.size()));
  if (!in || in.gcount() != static_cast<std::streamsize>(n)) {
    throw IoError(
        file.string() + ": read failed: " + std::strerror(errno) +
        " (file changed?)");
  }
  return bytes;
}

}  // namespace

std::vector<std::string> cifar10_files(Split split) {
  if (split == Split::Test) return {"test_batch.bin"};
  return {
      "data_batch_1.bin",
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin"};
}

std::string missing_cifar10_message(const fs::path& file, const fs::path& dir) {
  return file.string() +
         ": CIFAR-10 file not found; expected the binary version's "
         "data_batch_1.bin .. data_batch_5.bin and test_batch.bin "
         "(cifar-10-batches-bin) in " +
         dir.string();
}

Dataset load_cifar10(const fs::path& dir, Split split, const Normalizer& norm) {
  if (norm.channels() != 3) {
    throw InvalidArgument(
        "load_cifar10: " +
        expected_got(
            "a normalizer of 3 channels", std::to_string(norm.channels())));
  }
  // Sizes first: a bad last file fails before the slow part.
  std::vector<std::pair<fs::path, std::int64_t>> files;
  std::int64_t total = 0;
  for (const std::string& name : cifar10_files(split)) {
    files.emplace_back(dir / name, count_records(dir / name, dir));
    total += files.back().second;
  }
  Tensor images = Tensor::empty(Shape{total, 3, 32, 32});
  std::vector<std::int32_t> labels(static_cast<std::size_t>(total));
  std::int64_t first = 0;
  for (const auto& entry : files) {
    // Plain locals: OpenMP regions may not use structured bindings.
    const fs::path& file = entry.first;
    const std::int64_t records = entry.second;
    const std::vector<std::uint8_t> bytes =
        read_bytes(file, records * kCifarRecordBytes);
    for (std::int64_t r = 0; r < records; ++r) {
      const std::uint8_t label =
          bytes[static_cast<std::size_t>(r * kCifarRecordBytes)];
      if (label > 9) {
        throw IoError(
            file.string() + ": record " + std::to_string(r) + " (byte " +
            std::to_string(r * kCifarRecordBytes) + ") has label " +
            std::to_string(label) + "; expected 0..9 (CIFAR-10's classes)");
      }
      labels[static_cast<std::size_t>(first + r)] = label;
    }
    const std::uint8_t* src = bytes.data();
    float* dst = images.data() + first * kCifarImageBytes;
#pragma omp parallel for schedule(static) if (records >= 64)
    for (std::int64_t r = 0; r < records; ++r) {
      norm.bytes(
          src + r * kCifarRecordBytes + 1, kPlane, dst + r * kCifarImageBytes);
    }
    first += records;
  }
  return {std::move(images), std::move(labels)};
}

}  // namespace initforge
