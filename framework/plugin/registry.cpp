// SPDX-License-Identifier: Apache-2.0
#include "framework/plugin/registry.h"

#include <exception>
#include <set>

#include "framework/core/error.h"
#include "framework/init/text.h"
#include "framework/plugin/scheme_check.h"

namespace initforge {

// Key function: Registrar's typeinfo and vtable live here, in the host.
Registrar::~Registrar() = default;

namespace detail {

std::string library_label(const std::string& path) {
  return path.empty() ? "(in-process)" : path;
}

void check_scheme(const SchemeInfo& scheme, const std::string& library) {
  if (scheme.name.empty()) {
    throw PluginError(library, "registers a scheme with an empty name");
  }
  const std::string where = "scheme \"" + scheme.name + "\"";
  if (!scheme.create) {
    throw PluginError(library, where + " has no factory (create is empty)");
  }
  std::set<std::string> seen;
  for (const ArgSpec& spec : scheme.args) {
    if (spec.name.empty()) {
      throw PluginError(library, where + " declares an argument with no name");
    }
    if (!seen.insert(spec.name).second) {
      throw PluginError(
          library, where + " declares argument \"" + spec.name + "\" twice");
    }
    if (!spec.default_value) continue;
    // A default must satisfy its own schema, or every use would fail later.
    try {
      bind_args({spec}, {{spec.name, *spec.default_value}});
    } catch (const ArgumentError& e) {
      throw PluginError(
          library,
          where + ": default of argument \"" + spec.name +
              "\" breaks its schema: " + e.what());
    }
  }
}

std::string duplicate_message(
    const std::string& name,
    const std::string& new_library,
    const std::string& old_library) {
  return "scheme \"" + name + "\" from " + library_label(new_library) +
         " is already registered by " + library_label(old_library);
}

}  // namespace detail

Registry::Registry() = default;

Registry::~Registry() {
  // A scheme's factory (a std::function) has its code in the plugin: destroy
  // every factory before the last handle can unload its library.
  std::vector<LibraryHandle> libraries;
  for (auto& [name, scheme] : schemes_) {
    libraries.push_back(std::move(scheme.library));
  }
  schemes_.clear();
}

void Registry::add(SchemeInfo scheme) {
  const std::string label = detail::library_label(current_.path);
  detail::check_scheme(scheme, label);
  if (const auto it = schemes_.find(scheme.name); it != schemes_.end()) {
    throw PluginError(
        label,
        detail::duplicate_message(
            scheme.name, current_.path, it->second.library_path));
  }
  std::string name = scheme.name;
  schemes_.emplace(
      std::move(name),
      RegisteredScheme{
          std::move(scheme),
          current_.path,
          current_.name,
          current_.version,
          current_.library});
}

Registry::LibraryScope::LibraryScope(
    Registry& registry,
    std::string path,
    std::string name,
    std::string version,
    LibraryHandle library)
    : registry_(registry) {
  registry_.current_ = {
      std::move(path), std::move(name), std::move(version), std::move(library)};
}

Registry::LibraryScope::~LibraryScope() {
  registry_.current_ = {};
}

const RegisteredScheme& Registry::find(const std::string& name) const {
  if (const auto it = schemes_.find(name); it != schemes_.end()) {
    return it->second;
  }
  const std::vector<std::string> known = names();
  std::string message = "unknown scheme \"" + name + "\"";
  if (known.empty()) {
    throw InvalidArgument(message + "; no schemes are loaded (no plugins)");
  }
  const std::string hint = closest_match(name, known);
  message += hint.empty() ? ";" : "; did you mean \"" + hint + "\"?";
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  throw InvalidArgument(message + " known: " + list);
}

bool Registry::contains(const std::string& name) const {
  return schemes_.contains(name);
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  out.reserve(schemes_.size());
  for (const auto& [name, scheme] : schemes_) out.push_back(name);
  return out;  // std::map keeps them sorted
}

std::shared_ptr<const Initializer> Registry::create(
    const std::string& name,
    const std::vector<std::pair<std::string, ArgValue>>& args) const {
  const RegisteredScheme& scheme = find(name);
  const Args bound = bind_args(scheme.info.args, args);
  const std::string label = detail::library_label(scheme.library_path);
  std::unique_ptr<Initializer> made;
  try {
    made = scheme.info.create(bound);
  } catch (const Error&) {
    throw;  // ours (e.g. ArgumentError for a > b): already says what is wrong
  } catch (const std::exception& e) {
    throw PluginError(
        label, "scheme \"" + name + "\" failed to create: " + e.what());
  } catch (...) {
    throw PluginError(
        label, "scheme \"" + name + "\" threw a non-standard exception");
  }
  if (!made) {
    throw PluginError(label, "scheme \"" + name + "\" created nothing (null)");
  }
  // Boost.DLL tutorial 8: the deleter owns the library handle, so the plugin
  // stays mapped until the object's destructor (plugin code) has run.
  return std::shared_ptr<const Initializer>(
      made.release(),
      [library = scheme.library](const Initializer* p) { delete p; });
}

}  // namespace initforge
