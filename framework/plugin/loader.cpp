// SPDX-License-Identifier: Apache-2.0
// The only user of Boost.DLL. Order per library (ggml load_backend): open the
// file, check the descriptor (owner, mode, directories, consent), load that
// same file through /proc/self/fd/N, find the entry point, read the ABI
// version, and only then call into it.
#include "framework/plugin/loader.h"

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <set>
#include <system_error>
#include <vector>

#include <boost/dll/shared_library.hpp>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "framework/core/error.h"
#include "framework/plugin/path_safety.h"
#include "framework/plugin/plugin_search.h"
#include "framework/plugin/scheme_check.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
namespace dll = boost::dll;

// Collects a library's schemes so that a library registers all or nothing.
class StagingRegistrar final : public Registrar {
 public:
  void add(SchemeInfo scheme) override {
    schemes.push_back(std::move(scheme));
  }
  std::vector<SchemeInfo> schemes;
};

// Descriptors closed when the load is over, whichever way it ends.
class Descriptors {
 public:
  Descriptors() = default;
  Descriptors(const Descriptors&) = delete;
  Descriptors& operator=(const Descriptors&) = delete;
  ~Descriptors() {
    for (const int fd : fds_) ::close(fd);
  }
  void keep(int fd) {
    fds_.push_back(fd);
  }

 private:
  std::vector<int> fds_;
};

std::string proc_name(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

// Whether the mapping at `address` in this process is of the file `file`
// (device and inode, from /proc/self/maps).
bool mapped_from(std::uintptr_t address, const struct stat& file) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    unsigned long start = 0, end = 0, inode = 0;  // sscanf's %lx and %lu
    unsigned int major_dev = 0, minor_dev = 0;
    if (std::sscanf(
            line.c_str(),
            "%lx-%lx %*s %*s %x:%x %lu",
            &start,
            &end,
            &major_dev,
            &minor_dev,
            &inode) == 5 &&
        address >= start && address < end) {
      return inode == file.st_ino && major_dev == major(file.st_dev) &&
             minor_dev == minor(file.st_dev);
    }
  }
  return false;
}

// Whether dlopen(name) would return a loaded library other than `file`.
// glibc matches names before files: a loaded object's name, and every alias
// it got when its file was loaded again under another name (which
// dl_iterate_phdr does not list); and N in /proc/self/fd/N is reused.
bool name_taken_by_another(const std::string& name, const struct stat& file) {
  // RTLD_NOLOAD: the loaded object answering to `name`, or to its file.
  void* handle = ::dlopen(name.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  link_map* map = nullptr;
  const bool same =
      ::dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr &&
      mapped_from(reinterpret_cast<std::uintptr_t>(map->l_ld), file);
  ::dlclose(handle);
  return !same;
}

// A descriptor of the same open file whose /proc name leads dlopen to it.
int fd_with_unused_name(
    int fd,
    const struct stat& file,
    Descriptors& open_fds,
    const std::string& path) {
  while (name_taken_by_another(proc_name(fd), file)) {
    fd = ::fcntl(fd, F_DUPFD_CLOEXEC, fd + 1);
    if (fd < 0) {
      throw PluginError(
          path,
          std::string("cannot duplicate its descriptor: ") +
              std::strerror(errno));
    }
    open_fds.keep(fd);
  }
  return fd;
}

// The canonical path of the file the descriptor refers to.
std::filesystem::path opened_path(int fd, const std::string& path) {
  std::error_code ec;
  fs::path target = fs::read_symlink(proc_name(fd), ec);
  if (ec) {
    throw PluginError(
        path,
        "cannot be loaded safely: " + proc_name(fd) +
            " is unreadable (is /proc mounted?): " + ec.message());
  }
  return target;
}

// Why dlopen refused the file, in words a user can act on.
std::string open_failure(
    int fd,
    const std::error_code& ec,
    const std::string& via,
    const std::string& path) {
  std::array<char, 4> magic{};
  const ssize_t got = ::pread(fd, magic.data(), magic.size(), 0);
  if (got < 0) return std::string("cannot be read: ") + std::strerror(errno);
  if (got < 4 || magic != std::array<char, 4>{'\x7f', 'E', 'L', 'F'}) {
    return "cannot be loaded: not an ELF shared library";
  }
  // Boost.DLL reports only "bad file descriptor"; glibc's text says more
  // (wrong class, undefined symbol, ...). Boost leaves it set on failure.
  // Its text names the /proc path it was given; name the library instead.
  const char* reason = dlerror();
  std::string text = reason ? reason : ec.message();
  for (std::size_t at = text.find(via); at != std::string::npos;
       at = text.find(via, at + path.size())) {
    text.replace(at, via.size(), path);
  }
  return "cannot be loaded: " + text;
}

// Opens `library`, checks the descriptor as `checks` asks and loads the file
// it refers to, so nothing can swap the file between check and load.
std::shared_ptr<dll::shared_library> open_checked(
    const fs::path& library, const PluginLoadChecks& checks) {
  const std::string path = library.string();
  Descriptors open_fds;
  // O_NONBLOCK: a FIFO must not hang the open; it is refused below.
  const int fd = ::open(library.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) throw PluginError(path, "no such file");
    throw PluginError(
        path, std::string("cannot be read: ") + std::strerror(errno));
  }
  open_fds.keep(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw PluginError(
        path, std::string("cannot be checked: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    throw PluginError(path, "is a directory, not a shared library");
  }
  if (!S_ISREG(st.st_mode)) {
    throw PluginError(path, "is not a regular file, so not a shared library");
  }
  if (checks.safety) {
    const detail::SafetyVerdict verdict = detail::judge_stat(st);
    if (!verdict.reason.empty()) {
      throw PluginError(
          path,
          detail::unsafe_message(library, checks.named_by, verdict, false));
    }
    const std::string above =
        detail::unsafe_ancestor_message(opened_path(fd, path), checks.named_by);
    if (!above.empty()) throw PluginError(path, above);
  }
  if (checks.verify) checks.verify(fd);

  // RTLD_NOW: an unresolved symbol is an error here, not an abort later.
  const int load_fd = fd_with_unused_name(fd, st, open_fds, path);
  auto lib = std::make_shared<dll::shared_library>();
  std::error_code ec;
  dlerror();  // clear any stale message
  const std::string via = proc_name(load_fd);
  lib->load(
      fs::path(via), dll::load_mode::rtld_now | dll::load_mode::rtld_local, ec);
  if (ec) throw PluginError(path, open_failure(fd, ec, via, path));
  return lib;
}

std::string text_or(const char* text, const char* fallback) {
  return text != nullptr ? text : fallback;
}

}  // namespace

void load_plugin(const fs::path& library, Registry& registry) {
  load_plugin(library, registry, PluginLoadChecks{});
}

void load_plugin(
    const fs::path& library,
    Registry& registry,
    const PluginLoadChecks& checks) {
  const std::string path = library.string();
  const std::shared_ptr<dll::shared_library> lib =
      open_checked(library, checks);
  if (!lib->has(kPluginEntryPoint)) {
    throw PluginError(
        path,
        std::string("has no ") + kPluginEntryPoint +
            " entry point; is it an initforge plugin?");
  }

  // abi_version is the descriptor's first member in every ABI version, so
  // it is the only field safe to read before the version is known.
  const std::uint32_t abi =
      lib->get_alias<const std::uint32_t>(kPluginEntryPoint);
  if (abi != kPluginAbiVersion) {
    throw PluginError(
        path,
        "ABI version " + std::to_string(abi) + ", this initforge expects " +
            std::to_string(kPluginAbiVersion) +
            "; rebuild the plugin against this initforge");
  }
  const auto& descriptor =
      lib->get_alias<const PluginDescriptor>(kPluginEntryPoint);
  if (descriptor.register_schemes == nullptr) {
    throw PluginError(path, "descriptor has no register function");
  }

  // Declared before `staged`: the factories' code stays mapped until they go.
  const LibraryHandle handle = lib;
  StagingRegistrar staged;
  try {
    descriptor.register_schemes(staged);
  } catch (const std::exception& e) {
    throw PluginError(
        path, std::string("registering schemes failed: ") + e.what());
  } catch (...) {
    throw PluginError(
        path, "registering schemes threw a non-standard exception");
  }

  // Check everything before adding anything: a bad library leaves no trace.
  std::set<std::string> names;
  for (const SchemeInfo& scheme : staged.schemes) {
    detail::check_scheme(scheme, path);
    if (!names.insert(scheme.name).second) {
      throw PluginError(path, "registers scheme \"" + scheme.name + "\" twice");
    }
    if (registry.contains(scheme.name)) {
      const std::string& other = registry.find(scheme.name).library_path;
      std::error_code same_ec;
      if (!other.empty() && fs::equivalent(library, other, same_ec)) {
        throw PluginError(path, "is already loaded (as " + other + ")");
      }
      throw PluginError(
          path, detail::duplicate_message(scheme.name, path, other));
    }
  }
  const Registry::LibraryScope scope(
      registry,
      path,
      text_or(descriptor.library_name, "unnamed"),
      text_or(descriptor.version, "0.0.0"),
      handle);
  for (SchemeInfo& scheme : staged.schemes) registry.add(std::move(scheme));
}

std::vector<fs::path> load_plugin_dir(const fs::path& dir, Registry& registry) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    throw PluginError(dir.string(), "plugin directory does not exist");
  }
  if (!fs::is_directory(dir, ec)) {
    throw PluginError(dir.string(), "is not a directory");
  }
  std::vector<fs::path> libraries;
  for (LoadedLibrary& library :
       load_plugin_locations({{dir, "load_plugin_dir"}}, registry)) {
    libraries.push_back(std::move(library.path));
  }
  return libraries;
}

}  // namespace initforge
