// SPDX-License-Identifier: Apache-2.0
#include "framework/model/config_loader.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/init/text.h"
#include "framework/model/block_expander.h"
#include "framework/model/config_document.h"
#include "framework/model/init_rules.h"
#include "framework/model/init_spec_parser.h"
#include "framework/model/json_cursor.h"
#include "framework/model/json_parse.h"
#include "framework/model/layer_list_parser.h"
#include "framework/model/layer_parser.h"
#include "framework/model/train_parser.h"

namespace initforge {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 12> kTopKeys{
    "name",
    "seed",
    "rng",
    "input",
    "blocks",
    "layers",
    "init_rules",
    "post_init",
    "calibration",
    "plugins",
    "train",
    "variants"};

std::uint64_t parse_seed(const JsonCursor& c) {
  const nlohmann::json& j = c.json();
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (!j.is_number_integer() || j.get<std::int64_t>() < 0) {
    c.expected("a non-negative integer below 2^64");
  }
  return static_cast<std::uint64_t>(j.get<std::int64_t>());
}

RngKind parse_rng(const JsonCursor& c) {
  const nlohmann::json& j = c.json();
  if (j == "philox") return RngKind::Philox;
  if (j == "torch") return RngKind::Torch;
  c.expected("one of philox, torch");
}

Shape parse_input(const JsonCursor& c) {
  constexpr std::string_view kWhat =
      "an array of 1 to 4 positive integers (one sample's shape, no batch "
      "dimension)";
  c.expect_array(kWhat);
  if (c.size() == 0 || c.size() > 4) c.expected(kWhat);
  std::vector<std::int64_t> dims;
  for (std::size_t i = 0; i < c.size(); ++i) dims.push_back(c.at(i).positive());
  try {
    return Shape(dims);
  } catch (const Error& e) {  // element count overflows int64
    c.fail(e.what());
  }
}

// Every name a rule can match: "fc1.weight", "Linear.weight" and
// "@classifier.weight".
std::vector<std::string> rule_targets(const std::vector<LayerConfig>& layers) {
  std::vector<std::string> out;
  for (const LayerConfig& layer : layers) {
    for (const std::string& param : layer.spec.param_names()) {
      for (std::string& name : rule_names(layer, param)) {
        out.push_back(std::move(name));
      }
    }
  }
  return out;
}

std::vector<InitRule> parse_rules(
    const JsonCursor& c,
    const std::vector<LayerConfig>& layers,
    LoadKeys load,
    const fs::path& base_dir) {
  c.expect_array("an array of {\"pattern\": GLOB, \"scheme\": NAME, ...}");
  const std::vector<std::string> targets = rule_targets(layers);
  static constexpr std::array<std::string_view, 1> kReserved{"pattern"};
  std::vector<InitRule> rules;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const JsonCursor rule = c.at(i);
    rule.expect_object("an object {\"pattern\": GLOB, \"scheme\": NAME, ...}");
    const JsonCursor pattern = rule.require(
        "pattern", "a glob on \"<layer>.<param>\" or \"<Type>.<param>\"");
    InitRule out;
    out.pattern = pattern.non_empty_string();
    out.pointer = rule.pointer();
    // A rule that matches nothing is almost always a typo that would leave
    // the defaults in place silently.
    const bool matches =
        std::any_of(targets.begin(), targets.end(), [&](const std::string& t) {
          return glob_match(out.pattern, t);
        });
    if (!matches) {
      const std::string hint = closest_match(out.pattern, targets);
      pattern.fail(
          "pattern " + pattern.got() + " matches no parameter of this model;" +
          (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
          " patterns match \"<layer>.<param>\" (\"fc1.weight\"), "
          "\"<Type>.<param>\" (\"Linear.bias\") or \"@<role>.<param>\" "
          "(\"@classifier.weight\"), with * and ?");
    }
    out.init = parse_init_spec(rule, kReserved, load, base_dir);
    rules.push_back(std::move(out));
  }
  return rules;
}

// "calibration": after "train", which the "train" source needs.
CalibrationConfig parse_calibration(
    const JsonCursor& c, const std::optional<TrainConfig>& train) {
  c.expect_object(
      "an object {\"source\": \"input\" or \"train\", \"batch_size\": N}");
  static constexpr std::array<std::string_view, 2> kKeys{
      "source", "batch_size"};
  c.check_keys(kKeys, "calibration");
  CalibrationConfig out;
  out.pointer = c.pointer();
  const auto batch = c.find("batch_size");
  if (batch) out.batch_size = batch->positive();
  const auto source = c.find("source");
  if (!source || source->json() == "input") return out;
  if (source->json() != "train") source->expected("one of input, train");
  if (!train) {
    source->fail(
        "\"train\" takes the calibration batch from the dataset of the "
        "\"train\" section, and this config has none; add one or use "
        "\"input\" (seeded N(0, 1) samples)");
  }
  out.source = CalibrationSource::Train;
  if (const auto subset = train->dataset.train_subset) {
    if (batch && out.batch_size > *subset) {
      batch->fail(expected_got(
          "at most train.dataset.train_subset (" + std::to_string(*subset) +
              ") samples",
          std::to_string(out.batch_size)));
    }
    out.batch_size = std::min(out.batch_size, *subset);
  }
  return out;
}

std::vector<fs::path> parse_plugins(
    const JsonCursor& c, const fs::path& base_dir) {
  c.expect_object("an object {\"paths\": [...]}");
  static constexpr std::array<std::string_view, 1> kKeys{"paths"};
  c.check_keys(kKeys, "plugins");
  std::vector<fs::path> out;
  const auto paths = c.find("paths");
  if (!paths) return out;
  constexpr std::string_view kWhat =
      "an array of plugin library or directory paths";
  paths->expect_array(kWhat);
  for (std::size_t i = 0; i < paths->size(); ++i) {
    const JsonCursor item = paths->at(i);
    const fs::path given(item.non_empty_string());
    const fs::path path =
        (given.is_absolute() ? given : base_dir / given).lexically_normal();
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      item.fail(
          "no such plugin library or directory: " + path.string() +
          " (relative paths start at the config file's directory)");
    }
    out.push_back(path);
  }
  return out;
}

// The config with its blocks expanded: "blocks" gone, every layer in
// "layers" (one per line), "inputs" only where a layer does not take the
// previous one's output.
std::string expanded_config_text(
    const nlohmann::json& doc, const std::vector<LayerSource>& layers) {
  auto dump = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::string text = "{\n";
  for (const auto& item : doc.items()) {
    if (item.key() == "blocks" || item.key() == "variants") continue;
    text += "  " + dump(item.key()) + ": ";
    if (item.key() != "layers") {
      text += dump(item.value()) + ",\n";
      continue;
    }
    text += "[\n";
    std::string previous = "input";
    for (std::size_t i = 0; i < layers.size(); ++i) {
      nlohmann::json layer = layers[i].layer;
      if (layer.contains("inputs") &&
          layer["inputs"] == nlohmann::json::array({previous})) {
        layer.erase("inputs");
      }
      previous = layer.value("name", "");
      text += "    " + dump(layer) + (i + 1 < layers.size() ? ",\n" : "\n");
    }
    text += "  ],\n";
  }
  text.erase(text.size() - 2, 1);  // the last member's comma
  return text + "}\n";
}

}  // namespace

ModelConfig config_from_json(
    const nlohmann::json& doc,
    const std::string& file,
    const std::filesystem::path& base_dir) {
  ModelConfig config;
  config.file = file;
  const JsonCursor root(doc, config.file, "");
  root.expect_object("a JSON object with name, input and layers");
  root.check_keys(kTopKeys, "the top level");
  config.name = root.require("name", "a string").non_empty_string();
  if (const auto seed = root.find("seed")) config.seed = parse_seed(*seed);
  if (const auto rng = root.find("rng")) config.rng = parse_rng(*rng);
  config.input = parse_input(
      root.require("input", "one sample's shape, e.g. [1, 28, 28]"));
  const std::vector<LayerSource> layers = expand_layers(root);
  config.layers = parse_layers(layers, config.file, base_dir);
  config.expanded_json = expanded_config_text(doc, layers);
  if (const auto rules = root.find("init_rules")) {
    config.init_rules =
        parse_rules(*rules, config.layers, LoadKeys::Rule, base_dir);
  }
  if (const auto post = root.find("post_init")) {
    config.post_init =
        parse_rules(*post, config.layers, LoadKeys::None, base_dir);
  }
  if (const auto plugins = root.find("plugins")) {
    config.plugin_paths = parse_plugins(*plugins, base_dir);
  }
  if (const auto train = root.find("train")) {
    config.train = parse_train(*train, base_dir);
  }
  if (const auto calibration = root.find("calibration")) {
    config.calibration = parse_calibration(*calibration, config.train);
  }
  if (doc.contains("variants")) {
    nlohmann::json base = doc;
    base.erase("variants");
    config.json = base.dump();
  } else {
    config.json = doc.dump();
  }
  return config;
}

ModelConfig parse_config(
    std::string_view text,
    const std::string& file,
    const std::filesystem::path& base_dir) {
  const nlohmann::json doc = parse_json(text, file);
  if (doc.is_object() && doc.contains("variants")) {
    // The base is returned, but the file is valid only with its variants.
    return experiment_from_json(doc, file, base_dir).base;
  }
  return config_from_json(doc, file, base_dir);
}

std::string read_config_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    throw IoError("cannot read config " + file.string() + ": is a directory");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw IoError(
        "cannot read config " + file.string() + ": " +
        std::generic_category().message(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw IoError("cannot read config " + file.string());
  return text.str();
}

ModelConfig load_config(const std::filesystem::path& file) {
  return parse_config(
      read_config_file(file), file.string(), file.parent_path());
}

}  // namespace initforge
