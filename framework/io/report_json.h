// SPDX-License-Identifier: Apache-2.0
#pragma once

// JSON text of the CLI's reports, built from plain structs so that the CLI
// itself does not depend on a JSON library.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/core/value_stats.h"
#include "framework/init/args.h"
#include "framework/init/fans.h"
#include "framework/init/target.h"

namespace initforge {

/// One loaded plugin library.
struct LibraryListing {
  std::string path;
  std::string name;
  std::string version;
  std::vector<std::string> schemes;
  std::string named_by = {};  // who named its location ("--plugin-dir", ...)
};

/// One searched plugin location and who named it.
struct LocationListing {
  std::string path;
  std::string named_by;
};

/// One registered scheme with its full argument schema.
struct SchemeListing {
  std::string name;
  std::string doc;
  bool elementwise = true;
  std::vector<ArgSpec> args;
  std::string library_path;
  std::string library_name;
  std::string library_version = {};
  std::string named_by = {};    // who named its library's location
  bool data_dependent = false;  // calibrates on a model (calibration.h)
};

/// Everything `initforge plugins --json` prints.
struct PluginListing {
  std::vector<std::string> plugin_dirs;
  std::vector<LibraryListing> libraries;
  std::vector<SchemeListing> schemes;
  double load_seconds = 0;
  std::vector<LocationListing> locations = {};  // plugin_dirs with named_by
};

/// Summary statistics of a filled tensor (accumulated in double).
/// Everything `initforge sample --json` prints.
struct SampleReport {
  std::string scheme;
  std::string library_path;
  std::map<std::string, ArgValue> args;  // defaults applied
  std::vector<std::int64_t> shape;
  std::string rng;
  std::uint64_t seed = 0;
  std::string path;
  std::optional<Fans> fans;
  int threads = 0;
  std::string thread_placement;  // PinnedThreads::placement()
  Target target;
  ValueStats stats;
  double fill_seconds = 0;
  double gelements_per_second = 0;
  std::string out;  // "" when no file was written
};

/// "uniform", "truncated_normal", ...
INITFORGE_API std::string target_kind_name(Target::Kind kind);

/// One JSON object (pretty-printed, newline-terminated).
INITFORGE_API std::string plugins_json(const PluginListing& listing);
INITFORGE_API std::string sample_json(const SampleReport& report);

}  // namespace initforge
