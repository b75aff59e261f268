// SPDX-License-Identifier: Apache-2.0
#pragma once

// The write-temp-fsync-rename pattern every file writer uses, so a reader
// never sees a partially written file (AtomicFile, internal to io/), and the
// clean-up of the temporary files a killed writer leaves.

#include <cstddef>
#include <filesystem>
#include <string>

#include "framework/core/export.h"

namespace initforge {

/// Removes the temporary files AtomicFile left next to `target` when its
/// process was killed while writing it: ".<name>.tmp.<pid>.<n>" of a pid
/// that no longer runs. Returns how many; failures to remove are ignored
/// (the files are only clutter).
INITFORGE_API int remove_abandoned_temporaries(
    const std::filesystem::path& target);

/// Makes `target` a second name of `existing`'s file (a hard link), replacing
/// what `target` was atomically, then syncs the directory: `existing` never
/// disappears on the way. Where the file system has no hard links, it falls
/// back to renaming `existing` to `target`. An IoError names both on failure.
INITFORGE_API void keep_as(
    const std::filesystem::path& existing, const std::filesystem::path& target);

}  // namespace initforge

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
