// SPDX-License-Identifier: Apache-2.0
// load_experiment: a config plus "variants", each a JSON Merge Patch
// (RFC 7386) over the config without its "variants".
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "framework/model/config_document.h"
#include "framework/model/json_cursor.h"
#include "framework/model/json_parse.h"

namespace initforge {

namespace {

struct VariantPatch {
  std::string name;
  nlohmann::json patch;  // the entry without "name"
};

// Names become run directory names: keep them portable and unambiguous.
bool valid_variant_name(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::vector<VariantPatch> parse_variants(const JsonCursor& c) {
  constexpr std::string_view kWhat =
      "a non-empty array of {\"name\": NAME, KEY: VALUE, ...} (each a JSON "
      "Merge Patch of the config)";
  c.expect_array(kWhat);
  if (c.size() == 0) c.expected(kWhat);
  std::vector<VariantPatch> out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const JsonCursor entry = c.at(i);
    entry.expect_object(
        "an object {\"name\": NAME, KEY: VALUE, ...} (a JSON Merge Patch of "
        "the config)");
    const JsonCursor name =
        entry.require("name", "the variant's name, used as its directory");
    const std::string text = name.string();
    if (!valid_variant_name(text)) {
      name.expected(
          "a name of letters, digits, '.', '_' and '-', not \".\" or \"..\" "
          "(it names the variant's run directory)");
    }
    for (std::size_t k = 0; k < out.size(); ++k) {
      if (out[k].name == text) {
        name.fail(
            "duplicate variant name \"" + text + "\" (first used at " +
            c.pointer() + "/" + std::to_string(k) + "/name)");
      }
    }
    if (const auto nested = entry.find("variants")) {
      nested->fail(
          "a variant cannot list variants (it is a patch of the config "
          "without its \"variants\")");
    }
    nlohmann::json patch = entry.json();
    patch.erase("name");
    out.push_back({text, std::move(patch)});
  }
  return out;
}

}  // namespace

Experiment experiment_from_json(
    const nlohmann::json& doc,
    const std::string& file,
    const std::filesystem::path& base_dir) {
  Experiment out{config_from_json(doc, file, base_dir), {}};
  const JsonCursor root(doc, file, "");
  const auto variants = root.find("variants");
  if (!variants) {
    out.variants.push_back({out.base.name, out.base});
    return out;
  }
  const std::vector<VariantPatch> patches = parse_variants(*variants);
  nlohmann::json base = doc;
  base.erase("variants");
  for (const VariantPatch& v : patches) {
    nlohmann::json merged = base;
    merged.merge_patch(v.patch);
    const std::string label = file + " (variant " + v.name + ")";
    out.variants.push_back({v.name, config_from_json(merged, label, base_dir)});
  }
  return out;
}

std::vector<Variant> load_experiment(const std::filesystem::path& file) {
  const std::string label = file.string();
  const nlohmann::json doc = parse_json(read_config_file(file), label);
  return experiment_from_json(doc, label, file.parent_path()).variants;
}

}  // namespace initforge
