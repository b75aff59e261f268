// SPDX-License-Identifier: Apache-2.0
// `initforge plugins [--json] [--plugin-dir DIR]...`: every library with its
// path, version and who named its location; every scheme with its library.
#include <cstdio>
#include <map>
#include <memory>

#include "framework/io/report_json.h"

#include "tools/cli/cli_common.h"
#include "tools/cli/commands.h"

namespace initforge::cli {
namespace {

struct PluginsOptions {
  PluginOptions plugins;
  bool json = false;
};

PluginListing make_listing(
    const Registry& registry, const LoadedPlugins& loaded) {
  PluginListing listing;
  listing.plugin_dirs = loaded.dirs;
  for (const PluginLocation& location : loaded.locations) {
    listing.locations.push_back({location.path.string(), location.named_by});
  }
  listing.load_seconds = loaded.seconds;
  std::map<std::string, LibraryListing> by_path;
  for (const LoadedLibrary& library : loaded.loaded) {
    LibraryListing& entry = by_path[library.path.string()];
    entry.path = library.path.string();
    entry.named_by = library.named_by;
  }
  for (const std::string& name : registry.names()) {
    const RegisteredScheme& scheme = registry.find(name);
    LibraryListing& library = by_path[scheme.library_path];
    library.path = scheme.library_path;
    library.name = scheme.library_name;
    library.version = scheme.library_version;
    library.schemes.push_back(name);
    SchemeListing entry{
        scheme.info.name,
        scheme.info.doc,
        scheme.info.elementwise,
        scheme.info.args,
        scheme.library_path,
        scheme.library_name};
    entry.library_version = scheme.library_version;
    entry.named_by = library.named_by;
    entry.data_dependent = scheme.info.data_dependent;
    listing.schemes.push_back(std::move(entry));
  }
  for (const std::string& path : loaded.libraries) {
    listing.libraries.push_back(by_path[path]);
  }
  return listing;
}

void print_text(const PluginListing& listing) {
  for (const LocationListing& location : listing.locations) {
    std::printf(
        "plugin location %s  (named by %s)\n",
        location.path.c_str(),
        location.named_by.c_str());
  }
  std::map<std::string, const SchemeListing*> schemes;
  for (const SchemeListing& scheme : listing.schemes) {
    schemes[scheme.name] = &scheme;
  }
  for (const LibraryListing& library : listing.libraries) {
    std::printf(
        "\n%s %s  (%s)\n  named by %s\n",
        library.name.c_str(),
        library.version.c_str(),
        library.path.c_str(),
        library.named_by.c_str());
    for (const std::string& name : library.schemes) {
      const SchemeListing& scheme = *schemes.at(name);
      std::printf(
          "  %-18s %s%s\n",
          name.c_str(),
          scheme.doc.c_str(),
          scheme.data_dependent ? "  [data-dependent: use it in a config]"
                                : "");
      for (const ArgSpec& spec : scheme.args) {
        const std::string def = spec.default_value
                                    ? "= " + to_string(*spec.default_value)
                                    : std::string("(required)");
        const std::string constraint = constraint_text(spec);
        const std::string suffix =
            constraint.empty() ? "" : "  [" + constraint + "]";
        std::printf(
            "      %-14s %-8s %-12s %s%s\n",
            spec.name.c_str(),
            std::string(to_string(spec.type)).c_str(),
            def.c_str(),
            spec.doc.c_str(),
            suffix.c_str());
      }
    }
  }
  std::printf(
      "\n%zu libraries, %zu schemes, loaded in %.1f ms\n",
      listing.libraries.size(),
      listing.schemes.size(),
      listing.load_seconds * 1e3);
}

int run_plugins(const PluginsOptions& options) {
  Registry registry;
  const LoadedPlugins loaded = load_plugins(options.plugins, registry);
  const PluginListing listing = make_listing(registry, loaded);
  if (options.json) {
    std::fputs(plugins_json(listing).c_str(), stdout);
  } else {
    print_text(listing);
  }
  return 0;
}

}  // namespace

CommandRunner setup_plugins_command(CLI::App& command) {
  auto options = std::make_shared<PluginsOptions>();
  add_plugin_options(command, options->plugins);
  command.add_flag("--json", options->json, "print the full schema as JSON");
  return [options] { return run_plugins(*options); };
}

}  // namespace initforge::cli
