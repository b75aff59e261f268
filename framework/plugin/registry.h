// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/export.h"
#include "framework/plugin/plugin.h"

namespace initforge {

/// Opaque handle that keeps a plugin library mapped while anything made from
/// it is alive (Boost.DLL tutorial 8: objects hold their library).
using LibraryHandle = std::shared_ptr<const void>;

/// A registered scheme and where it came from.
struct RegisteredScheme {
  SchemeInfo info;
  std::string library_path;  // "" for schemes added in-process (tests)
  std::string library_name;
  std::string library_version;
  LibraryHandle library;
};

/// Scheme name -> scheme. Filled once on the main thread, read-only after.
class INITFORGE_API Registry : public Registrar {
 public:
  Registry();
  ~Registry() override;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// Registrar: adds a scheme from the library currently being loaded.
  /// Throws PluginError naming both libraries on a duplicate name.
  void add(SchemeInfo scheme) override;

  /// Schemes added while a scope is open are attributed to this library.
  /// Used by the loader; tests may add schemes with no library.
  class LibraryScope {
   public:
    LibraryScope(
        Registry& registry,
        std::string path,
        std::string name,
        std::string version,
        LibraryHandle library);
    ~LibraryScope();
    LibraryScope(const LibraryScope&) = delete;
    LibraryScope& operator=(const LibraryScope&) = delete;

   private:
    Registry& registry_;
  };

  /// The scheme, or InvalidArgument listing the known names and the closest.
  const RegisteredScheme& find(const std::string& name) const;
  bool contains(const std::string& name) const;
  /// Sorted names.
  std::vector<std::string> names() const;

  /// Validates `args` against the scheme's schema and creates the
  /// initializer; the result keeps the scheme's library loaded.
  std::shared_ptr<const Initializer> create(
      const std::string& name,
      const std::vector<std::pair<std::string, ArgValue>>& args) const;

 private:
  std::map<std::string, RegisteredScheme> schemes_;
  struct Current {
    std::string path, name, version;
    LibraryHandle library;
  };
  Current current_;
};

}  // namespace initforge
