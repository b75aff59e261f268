// SPDX-License-Identifier: Apache-2.0
// The only user of Boost.DLL. Order per library (ggml load_backend): open,
// find the entry point, read the ABI version, and only then call into it.
#include "framework/plugin/loader.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <set>
#include <system_error>

#include <boost/dll/shared_library.hpp>
#include <dlfcn.h>

#include "framework/core/error.h"
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

// Why dlopen refused the file, in words a user can act on.
std::string open_failure(const fs::path& path, const std::error_code& ec) {
  std::array<char, 4> magic{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot be read: ") + std::strerror(errno);
  in.read(magic.data(), magic.size());
  if (in.gcount() < 4 || magic != std::array<char, 4>{'\x7f', 'E', 'L', 'F'}) {
    return "cannot be loaded: not an ELF shared library";
  }
  // Boost.DLL reports only "bad file descriptor"; glibc's text says more
  // (wrong class, undefined symbol, ...). Boost leaves it set on failure.
  const char* reason = dlerror();
  return "cannot be loaded: " + std::string(reason ? reason : ec.message());
}

std::string text_or(const char* text, const char* fallback) {
  return text != nullptr ? text : fallback;
}

}  // namespace

void load_plugin(const fs::path& library, Registry& registry) {
  const std::string path = library.string();
  std::error_code ec;
  const fs::file_status status = fs::status(library, ec);
  if (!fs::exists(status)) throw PluginError(path, "no such file");
  if (fs::is_directory(status)) {
    throw PluginError(path, "is a directory, not a shared library");
  }

  // RTLD_NOW: an unresolved symbol is an error here, not an abort later.
  auto lib = std::make_shared<dll::shared_library>();
  dlerror();  // clear any stale message
  lib->load(library, dll::load_mode::rtld_now | dll::load_mode::rtld_local, ec);
  if (ec) throw PluginError(path, open_failure(library, ec));
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
