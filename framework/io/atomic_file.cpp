// SPDX-License-Identifier: Apache-2.0
#include "framework/io/atomic_file.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include "framework/core/error.h"

namespace initforge::detail {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void errno_fail(const fs::path& path, const std::string& what) {
  throw IoError(path.string() + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  static std::atomic<unsigned> counter{0};
  const fs::path dir = target_.has_parent_path() ? target_.parent_path() : ".";
  temp_ = dir / ("." + target_.filename().string() + ".tmp." +
                 std::to_string(::getpid()) + "." + std::to_string(counter++));
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) errno_fail(target_, "cannot create a file in " + dir.string());
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!renamed_) ::unlink(temp_.c_str());
}

void AtomicFile::write(const void* data, std::size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) errno_fail(target_, "write failed");
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
}

// fsync before rename: after a crash the name points at complete data;
// fsync of the directory after it: the rename itself survives a crash.
void AtomicFile::commit() {
  if (::fsync(fd_) != 0) errno_fail(target_, "fsync failed");
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) errno_fail(target_, "close failed");
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    errno_fail(target_, "cannot rename the temporary file into place");
  }
  renamed_ = true;
  const fs::path dir = temp_.parent_path();
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) errno_fail(target_, "cannot open the directory to fsync");
  // Some file systems cannot fsync a directory (EINVAL): nothing to make
  // durable there.
  const bool synced = ::fsync(dir_fd) == 0 || errno == EINVAL;
  const int error = errno;
  ::close(dir_fd);
  errno = error;
  if (!synced) errno_fail(target_, "fsync of the directory failed");
}

}  // namespace initforge::detail
