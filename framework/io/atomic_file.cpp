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

}  // namespace

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  static std::atomic<unsigned> counter{0};
  const fs::path dir = target_.has_parent_path() ? target_.parent_path() : ".";
  temp_ = dir / (temp_prefix(target_) + std::to_string(::getpid()) + "." +
                 std::to_string(counter++));
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

}  // namespace initforge
