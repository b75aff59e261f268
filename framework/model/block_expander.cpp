// SPDX-License-Identifier: Apache-2.0
#include "framework/model/block_expander.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/init/text.h"
#include "framework/model/block_condition.h"

namespace initforge {

namespace {

// Far beyond any real model; keeps a hostile config from eating memory.
constexpr std::int64_t kMaxRepeat = 10000;
constexpr std::size_t kMaxLayers = 100000;

constexpr std::array<std::string_view, 6> kBlockKeys{
    "doc", "args", "layers", "branch", "shortcut", "after"};
constexpr std::array<std::string_view, 3> kShortcutKeys{
    "when", "name", "layers"};
constexpr std::array<std::string_view, 7> kGroupKeys{
    "name", "block", "layers", "repeat", "args", "first", "inputs"};

using BlockArgs = std::map<std::string, nlohmann::json>;

struct BlockDef {
  std::string name;
  JsonCursor cursor;   // the definition object
  BlockArgs defaults;  // null: the instance must give it
};

// One instance being expanded: its names and argument values.
struct Instance {
  std::string prefix;  // "layer2.0"
  std::string block;   // the block's name, or the repeat's
  std::string input;   // the full name of its input
  BlockArgs args;
  std::string origin;                        // for messages
  std::map<std::string, std::string> local;  // "conv1" -> "layer2.0.conv1"
};

bool is_group(const nlohmann::json& layer) {
  return layer.is_object() &&
         (layer.contains("block") || layer.contains("repeat") ||
          layer.contains("layers"));
}

bool identifier(std::string_view s) {
  auto alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (s.empty() || !alpha(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return alpha(c) || (c >= '0' && c <= '9');
  });
}

bool index(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

std::vector<std::string> keys_of(const BlockArgs& args) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : args) keys.push_back(key);
  return keys;
}

// A copy of `value` with every "$name" string replaced by the argument's
// value ("$$" escapes a literal "$"). Fails at the reference's pointer.
nlohmann::json substitute(
    const JsonCursor& value, const BlockArgs& args, const std::string& block) {
  const nlohmann::json& j = value.json();
  if (j.is_string()) {
    const auto& text = j.get_ref<const std::string&>();
    if (text.empty() || text[0] != '$') return j;
    if (text.size() > 1 && text[1] == '$') return text.substr(1);
    const auto it = args.find(text.substr(1));
    if (it != args.end()) return it->second;
    const std::vector<std::string> known = keys_of(args);
    std::vector<std::string> refs;
    for (const std::string& k : known) refs.push_back("$" + k);
    const std::string hint = closest_match(text, refs);
    value.fail(
        "unknown block argument " + value.got() + ";" +
        (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
        (known.empty()
             ? " block \"" + block + "\" takes no arguments"
             : " block \"" + block + "\" takes " + join_comma(known)) +
        " (write \"$$\" for a literal \"$\")");
  }
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < value.size(); ++i) {
      out.push_back(substitute(value.at(i), args, block));
    }
    return out;
  }
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& item : j.items()) {
      out[item.key()] = substitute(*value.find(item.key()), args, block);
    }
    return out;
  }
  return j;
}

// A non-empty array of layer objects (a block's branch, shortcut, ...).
void check_layer_list(
    const JsonCursor& list, const BlockArgs& args, const std::string& block) {
  list.expect_array("a non-empty array of layers");
  if (list.size() == 0) list.expected("a non-empty array of layers");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const JsonCursor layer = list.at(i);
    layer.expect_object("a layer object {\"name\": ..., \"type\": ..., ...}");
    if (is_group(layer.json())) {
      layer.fail(
          "a block's layers are plain layers with a \"type\"; blocks do not "
          "nest (instantiate blocks in the top-level \"layers\")");
    }
    substitute(layer, args, block);  // every "$name" must be an argument
  }
}

BlockDef parse_block(const std::string& name, const JsonCursor& def) {
  def.expect_object(
      "a block definition {\"args\": {...}, \"branch\": [...], ...}");
  def.check_keys(kBlockKeys, "a block definition");
  BlockDef out{name, def, {}};
  if (const auto args = def.find("args")) {
    args->expect_object(
        "an object {NAME: DEFAULT} (null: the instance must give it)");
    for (const auto& item : args->json().items()) {
      if (!identifier(item.key())) {
        args->find(item.key())
            ->fail(with_got(
                "block argument names are letters, digits and _ not "
                "starting with a digit",
                "\"" + item.key() + "\""));
      }
      out.defaults[item.key()] = item.value();
    }
  }
  const bool sequence = def.has("layers");
  if (sequence == def.has("branch")) {
    def.fail(
        "a block has either \"layers\" (a sequence) or \"branch\" (a "
        "residual block: branch + shortcut, added)");
  }
  if (sequence) {
    for (const std::string_view key : {"shortcut", "after"}) {
      if (def.has(key)) {
        def.find(key)->fail(
            "\"" + std::string(key) +
            "\" belongs to a residual block, which has a \"branch\" instead "
            "of \"layers\"");
      }
    }
    check_layer_list(*def.find("layers"), out.defaults, name);
    return out;
  }
  check_layer_list(*def.find("branch"), out.defaults, name);
  if (const auto shortcut = def.find("shortcut")) {
    shortcut->expect_object(
        "an object {\"when\": CONDITION, \"name\": NAME, \"layers\": [...]}");
    shortcut->check_keys(kShortcutKeys, "a shortcut");
    check_layer_list(
        shortcut->require("layers", "the shortcut's layers"),
        out.defaults,
        name);
    if (const auto sub = shortcut->find("name")) {
      if (!identifier(sub->non_empty_string())) {
        sub->expected("letters, digits and _ not starting with a digit");
      }
    }
    if (const auto when = shortcut->find("when")) {
      if (!when->json().is_boolean() && !when->json().is_string()) {
        when->expected("true, false or a condition such as \"stride != 1\"");
      }
    }
  }
  if (const auto after = def.find("after")) {
    check_layer_list(*after, out.defaults, name);
  }
  return out;
}

class Expander {
 public:
  explicit Expander(const JsonCursor& root) : root_(root) {}

  std::vector<LayerSource> run() {
    if (const auto blocks = root_.find("blocks")) {
      blocks->expect_object("an object {NAME: {block definition}}");
      for (const auto& item : blocks->json().items()) {
        const JsonCursor def = *blocks->find(item.key());
        if (!identifier(item.key())) {
          def.fail(
              "block names are letters, digits and _ not starting with a "
              "digit");
        }
        blocks_.emplace(item.key(), parse_block(item.key(), def));
      }
    }
    const JsonCursor layers = root_.require("layers", "an array of layers");
    layers.expect_array("a non-empty array of layers");
    if (layers.size() == 0) layers.expected("a non-empty array of layers");
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const JsonCursor item = layers.at(i);
      if (is_group(item.json())) {
        expand_group(item);
      } else {
        expand_plain(item);
      }
    }
    return std::move(out_);
  }

 private:
  // A layer written in "layers": kept as written, except that "inputs" may
  // name a block instance (its output).
  void expand_plain(const JsonCursor& layer) {
    nlohmann::json copy = layer.json();
    if (copy.is_object() && copy.contains("inputs") &&
        copy["inputs"].is_array()) {
      for (nlohmann::json& ref : copy["inputs"]) {
        if (!ref.is_string()) continue;
        const auto it = group_outputs_.find(ref.get<std::string>());
        if (it != group_outputs_.end()) ref = it->second;
      }
    }
    if (copy.is_object() && copy.contains("name") && copy["name"].is_string()) {
      const std::string name = copy["name"].get<std::string>();
      if (group_outputs_.count(name) != 0) {
        layer.find("name")->fail(
            "duplicate name \"" + name + "\" (a block instance has it)");
      }
      top_names_.insert(name);
      previous_ = name;
    }
    push({std::move(copy), layer.pointer(), ""}, layer);
  }

  void expand_group(const JsonCursor& group) {
    group.expect_object();
    if (group.has("type")) {
      group.find("type")->fail(
          "a layer has a \"type\"; a block instance has \"block\" (or "
          "\"layers\" to repeat), not both");
    }
    group.check_keys(kGroupKeys, "a block instance or repeat");
    const JsonCursor name_cursor =
        group.require("name", "the instance's name, the prefix of its layers");
    const std::string name = name_cursor.non_empty_string();
    if (!valid_layer_name(name)) {
      name_cursor.expected(
          "letters, digits and _ not starting with a digit, or dotted parts "
          "of those and indices");
    }
    if (top_names_.count(name) != 0 || group_outputs_.count(name) != 0) {
      name_cursor.fail("duplicate name \"" + name + "\"");
    }
    top_names_.insert(name);
    if (group.has("block") == group.has("layers")) {
      group.fail(
          "a block instance has either \"block\" (a name from \"blocks\") or "
          "\"layers\" (a list to repeat)");
    }
    const BlockDef* def = nullptr;
    if (const auto block = group.find("block")) {
      def = &find_block(*block);
    } else {
      for (const std::string_view key : {"args", "first"}) {
        if (group.has(key)) {
          group.find(key)->fail(
              "\"" + std::string(key) +
              "\" sets the arguments of a \"block\"; this repeat has inline "
              "\"layers\"");
        }
      }
      check_layer_list(*group.find("layers"), {}, name);
    }
    const auto repeat = group.find("repeat");
    std::int64_t count = 1;
    if (repeat) {
      count = repeat->positive();
      if (count > kMaxRepeat) {
        repeat->expected("at most " + std::to_string(kMaxRepeat) + " repeats");
      }
    }
    std::string current = group_input(group);
    for (std::int64_t k = 0; k < count; ++k) {
      Instance inst;
      inst.prefix = repeat ? name + "." + std::to_string(k) : name;
      inst.block = def != nullptr ? def->name : name;
      inst.input = current;
      inst.origin =
          inst.prefix + ", " +
          (def != nullptr ? "an instance of block \"" + def->name + "\""
                          : std::string("a repeat")) +
          " at " + group.pointer();
      if (def != nullptr) {
        inst.args = instance_args(group, *def, k == 0);
        current = emit_block(*def, inst);
      } else {
        current = emit_list(
            group.find("layers")->with_origin(inst.origin), inst, "", current);
      }
    }
    group_outputs_[name] = current;
    previous_ = current;
  }

  const BlockDef& find_block(const JsonCursor& block) {
    const std::string name = block.non_empty_string();
    const auto it = blocks_.find(name);
    if (it != blocks_.end()) return it->second;
    std::vector<std::string> known;
    for (const auto& [key, def] : blocks_) known.push_back(key);
    const std::string hint = closest_match(name, known);
    block.fail(
        "unknown block \"" + name + "\";" +
        (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
        (known.empty() ? " this config defines no \"blocks\""
                       : " expected one of " + join_comma(known)));
  }

  // The instance's input: its "inputs" (one name), else the previous
  // layer's output.
  std::string group_input(const JsonCursor& group) {
    const auto inputs = group.find("inputs");
    if (!inputs) return previous_;
    constexpr std::string_view kWhat =
        "an array with one name: \"input\", an earlier layer or block "
        "instance";
    inputs->expect_array(kWhat);
    if (inputs->size() != 1) inputs->expected(kWhat);
    const JsonCursor ref = inputs->at(0);
    const std::string name = ref.string();
    if (name == "input") return name;
    const auto it = group_outputs_.find(name);
    if (it != group_outputs_.end()) return it->second;
    for (const LayerSource& s : out_) {
      if (s.layer.value("name", nlohmann::json()) == name) return name;
    }
    std::vector<std::string> known{"input"};
    for (const std::string& n : top_names_) known.push_back(n);
    const std::string hint = closest_match(name, known);
    ref.fail(
        "unknown layer \"" + name + "\";" +
        (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
        " expected \"input\" or an earlier layer or block instance");
  }

  // Defaults, then "args", then (first instance only) "first".
  BlockArgs instance_args(
      const JsonCursor& group, const BlockDef& def, bool first) {
    BlockArgs args = def.defaults;
    std::vector<std::string> names = keys_of(def.defaults);
    std::vector<std::string_view> allowed(names.begin(), names.end());
    for (const std::string_view key : {"args", "first"}) {
      const auto given = group.find(key);
      if (!given) continue;
      given->expect_object("an object {ARGUMENT: VALUE}");
      given->check_keys(allowed, "the arguments of block \"" + def.name + "\"");
      if (key == "first" && !first) continue;
      for (const auto& item : given->json().items()) {
        args[item.key()] = item.value();
      }
    }
    for (const auto& [key, value] : args) {
      if (value.is_null()) {
        group.fail(
            "block \"" + def.name + "\" needs argument \"" + key +
            "\" (give it in \"args\" or, for the first instance, \"first\")");
      }
    }
    return args;
  }

  std::string emit_block(const BlockDef& def, Instance& inst) {
    const JsonCursor d = def.cursor.with_origin(inst.origin);
    if (d.has("layers")) {
      return emit_list(*d.find("layers"), inst, "", inst.input);
    }
    const std::string branch_out =
        emit_list(*d.find("branch"), inst, "", inst.input);
    std::string shortcut_out = inst.input;
    if (const auto shortcut = d.find("shortcut")) {
      if (takes_shortcut(*shortcut, inst)) {
        const auto sub = shortcut->find("name");
        shortcut_out = emit_list(
            *shortcut->find("layers"),
            inst,
            sub ? sub->string() : "",
            inst.input);
      }
    }
    // The residual sum, after torchvision's `out += identity`.
    if (inst.local.count("add") != 0) {
      d.fail(
          "the residual sum of a block is its layer \"add\"; rename the "
          "block's own layer \"add\"");
    }
    const std::string add = inst.prefix + ".add";
    inst.local["add"] = add;
    push(
        {{{"name", add},
          {"type", "Add"},
          {"inputs", nlohmann::json::array({branch_out, shortcut_out})}},
         d.pointer(),
         inst.origin},
        d);
    if (const auto after = d.find("after")) {
      return emit_list(*after, inst, "", add);
    }
    return add;
  }

  static bool takes_shortcut(const JsonCursor& shortcut, const Instance& inst) {
    const auto when = shortcut.find("when");
    if (!when) return true;
    if (when->json().is_boolean()) return when->json().get<bool>();
    try {
      return evaluate_condition(when->json().get<std::string>(), inst.args);
    } catch (const InvalidArgument& e) {
      when->fail(e.what());
    }
  }

  // Emits a block's list of layers in sequence from `input`; returns the
  // last one's name. `sub` prefixes the names ("downsample" -> ".0", ".1").
  std::string emit_list(
      const JsonCursor& list,
      Instance& inst,
      const std::string& sub,
      std::string input) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const JsonCursor layer = list.at(i);
      const auto name = layer.find("name");
      const std::string local =
          name ? name->non_empty_string() : std::to_string(i);
      const std::string relative = sub.empty() ? local : sub + "." + local;
      if (inst.local.count(relative) != 0) {
        (name ? *name : layer)
            .fail("duplicate layer name \"" + relative + "\" in this block");
      }
      nlohmann::json copy = substitute(layer, inst.args, inst.block);
      copy["name"] = inst.prefix + "." + relative;
      if (const auto inputs = layer.find("inputs")) {
        copy["inputs"] = local_inputs(*inputs, inst);
      } else {
        copy["inputs"] = nlohmann::json::array({input});
      }
      inst.local[relative] = copy["name"];
      input = copy["name"].get<std::string>();
      push({std::move(copy), layer.pointer(), inst.origin}, layer);
    }
    return input;
  }

  // A block layer's "inputs": "input" (the block's) or its earlier layers.
  static nlohmann::json local_inputs(
      const JsonCursor& inputs, const Instance& inst) {
    inputs.expect_array("an array of layer names");
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      const JsonCursor ref = inputs.at(k);
      const std::string name = ref.string();
      if (name == "input") {
        out.push_back(inst.input);
        continue;
      }
      const auto it = inst.local.find(name);
      if (it != inst.local.end()) {
        out.push_back(it->second);
        continue;
      }
      std::vector<std::string> known{"input"};
      for (const auto& [local, full] : inst.local) known.push_back(local);
      const std::string hint = closest_match(name, known);
      ref.fail(
          "unknown layer \"" + name + "\" in this block;" +
          (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
          " expected \"input\" (the block's input) or an earlier layer of "
          "the block: " +
          join_comma(known));
    }
    return out;
  }

  void push(LayerSource source, const JsonCursor& where) {
    if (out_.size() >= kMaxLayers) {
      where.fail(
          "the expanded model has more than " + std::to_string(kMaxLayers) +
          " layers");
    }
    out_.push_back(std::move(source));
  }

  const JsonCursor& root_;
  std::map<std::string, BlockDef> blocks_;
  std::map<std::string, std::string> group_outputs_;  // instance -> output
  std::set<std::string> top_names_;  // names written in "layers"
  std::string previous_ = "input";
  std::vector<LayerSource> out_;
};

}  // namespace

bool valid_layer_name(std::string_view name) {
  if (name.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::string_view part = name.substr(
        start,
        dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!identifier(part) && !index(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool valid_identifier(std::string_view name) {
  return identifier(name);
}

std::vector<LayerSource> expand_layers(const JsonCursor& root) {
  return Expander(root).run();
}

}  // namespace initforge
