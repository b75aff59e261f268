// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to io/: the write-temp-fsync-rename pattern every file writer
// uses, so a reader never sees a partially written file.

#include <cstddef>
#include <filesystem>
#include <string>

namespace initforge::detail {

/// A temporary file next to `target` (same directory, so rename is atomic).
/// commit() syncs it and renames it over `target`; destroying it uncommitted
/// removes it. Every failure is an IoError naming `target` and the reason.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Appends `size` bytes, retrying short writes and EINTR.
  void write(const void* data, std::size_t size);
  void write(const std::string& text) {
    write(text.data(), text.size());
  }

  /// fsync, close, rename into place, fsync of the directory.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool renamed_ = false;
};

}  // namespace initforge::detail
