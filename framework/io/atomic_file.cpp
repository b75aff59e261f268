// SPDX-License-Identifier: Apache-2.0
#include "framework/io/atomic_file.h"

#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include "framework/core/error.h"

namespace initforge::detail {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void errno_fail(const fs::path& path, const std::string& what) {
  throw IoError(path.string() + ": " + what + ": " + std::strerror(errno));
}

// ".<name>.tmp.": the start of every temporary name of `target`.
std::string temp_prefix(const fs::path& target) {
  return "." + target.filename().string() + ".tmp.";
}

// The pid in "<pid>.<counter>", or -1 when `rest` is not of that form.
pid_t temp_owner(std::string_view rest) {
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) {
    return -1;
  }
  long pid = 0, counter = 0;
  const char* end = rest.data() + dot;
  if (std::from_chars(rest.data(), end, pid).ptr != end || pid <= 0) return -1;
  const char* last = rest.data() + rest.size();
  if (std::from_chars(end + 1, last, counter).ptr != last) return -1;
  return static_cast<pid_t>(pid);
}

// Makes a rename in `target`'s directory survive a crash.
void sync_directory_of(const fs::path& target) {
  const fs::path dir = target.has_parent_path() ? target.parent_path() : ".";
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) errno_fail(target, "cannot open the directory to fsync");
  // Some file systems cannot fsync a directory (EINVAL): nothing to make
  // durable there.
  const bool synced = ::fsync(dir_fd) == 0 || errno == EINVAL;
  const int error = errno;
  ::close(dir_fd);
  errno = error;
  if (!synced) errno_fail(target, "fsync of the directory failed");
}

// A fresh temporary name next to `target`: ".<name>.tmp.<pid>.<n>".
fs::path temp_name(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  const fs::path dir = target.has_parent_path() ? target.parent_path() : ".";
  return dir / (temp_prefix(target) + std::to_string(::getpid()) + "." +
                std::to_string(counter++));
}

}  // namespace

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  temp_ = temp_name(target_);
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) {
    errno_fail(
        target_, "cannot create a file in " + temp_.parent_path().string());
  }
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
  sync_directory_of(target_);
}

}  // namespace initforge::detail

namespace initforge {

int remove_abandoned_temporaries(const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  const fs::path dir = target.has_parent_path() ? target.parent_path() : ".";
  const std::string prefix = detail::temp_prefix(target);
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return 0;  // no directory: nothing left behind
  int removed = 0;
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const pid_t pid =
        detail::temp_owner(std::string_view(name).substr(prefix.size()));
    // ESRCH: no such process. A live pid (ours, or a reused one) keeps it.
    if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    if (fs::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

void keep_as(
    const std::filesystem::path& existing,
    const std::filesystem::path& target) {
  // Already one file (a writer was killed after its link): rename() of two
  // names of one file does nothing and would leave the temporary name.
  std::error_code ec;
  if (std::filesystem::equivalent(existing, target, ec)) return;
  // link() cannot replace a name: link to a fresh temporary name, then rename
  // that over `target` (atomic).
  const std::filesystem::path temp = detail::temp_name(target);
  if (::link(existing.c_str(), temp.c_str()) == 0) {
    if (::rename(temp.c_str(), target.c_str()) != 0) {
      const int error = errno;
      ::unlink(temp.c_str());
      errno = error;
      detail::errno_fail(
          target,
          "cannot rename the link to " + existing.string() + " into place");
    }
  } else if (errno == EPERM || errno == ENOTSUP || errno == EXDEV) {
    if (::rename(existing.c_str(), target.c_str()) != 0) {
      detail::errno_fail(
          target, "cannot rename " + existing.string() + " to it");
    }
  } else {
    detail::errno_fail(target, "cannot make it a link to " + existing.string());
  }
  detail::sync_directory_of(target);
}

}  // namespace initforge
