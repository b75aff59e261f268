// SPDX-License-Identifier: Apache-2.0
#include "framework/model/layer_parser.h"

#include <array>
#include <string>
#include <utility>
#include <variant>

#include "framework/init/text.h"

namespace initforge {

namespace {

using Keys = std::span<const std::string_view>;

constexpr std::array<std::string_view, 0> kNone{};
constexpr std::array<std::string_view, 2> kWeightBias{"weight", "bias"};

// Hyper-parameter keys, by options type (overloads keep them next to the
// parsers without depending on the variant's alternative order).
Keys option_keys(const auto&) {
  return kNone;
}
Keys option_keys(const LinearOptions&) {
  static constexpr std::array<std::string_view, 2> k{"out_features", "bias"};
  return k;
}
Keys option_keys(const Conv2dOptions&) {
  static constexpr std::array<std::string_view, 7> k{
      "out_channels",
      "kernel_size",
      "stride",
      "padding",
      "dilation",
      "groups",
      "bias"};
  return k;
}
Keys option_keys(const LeakyReLUOptions&) {
  static constexpr std::array<std::string_view, 1> k{"negative_slope"};
  return k;
}
Keys option_keys(const GELUOptions&) {
  static constexpr std::array<std::string_view, 1> k{"approximate"};
  return k;
}
Keys option_keys(const MaxPool2dOptions&) {
  static constexpr std::array<std::string_view, 3> k{
      "kernel_size", "stride", "padding"};
  return k;
}
Keys option_keys(const AvgPool2dOptions&) {
  static constexpr std::array<std::string_view, 4> k{
      "kernel_size", "stride", "padding", "count_include_pad"};
  return k;
}
Keys option_keys(const BatchNorm2dOptions&) {
  static constexpr std::array<std::string_view, 2> k{"eps", "momentum"};
  return k;
}
Keys option_keys(const FlattenOptions&) {
  static constexpr std::array<std::string_view, 2> k{"start_dim", "end_dim"};
  return k;
}
Keys option_keys(const SoftmaxOptions&) {
  static constexpr std::array<std::string_view, 1> k{"dim"};
  return k;
}

// Parameters a type can own with some options.
Keys param_keys(const auto&) {
  return kNone;
}
Keys param_keys(const LinearOptions&) {
  return kWeightBias;
}
Keys param_keys(const Conv2dOptions&) {
  return kWeightBias;
}
Keys param_keys(const BatchNorm2dOptions&) {
  return kWeightBias;
}

// An int (both sides) or [height, width], each >= floor.
Pair read_pair(const JsonCursor& c, std::int64_t floor) {
  const std::string what = floor > 0 ? "a positive integer or [height, width]"
                                     : "a non-negative integer or "
                                       "[height, width]";
  auto one = [&](const JsonCursor& v) {
    return floor > 0 ? v.positive() : v.non_negative();
  };
  if (c.json().is_number_integer()) {
    const std::int64_t n = one(c);
    return {n, n};
  }
  if (!c.json().is_array() || c.size() != 2) c.expected(what);
  return {one(c.at(0)), one(c.at(1))};
}

bool read_bool(const JsonCursor& c) {
  return c.boolean();
}
double read_number(const JsonCursor& c) {
  return c.number();
}
std::int64_t read_integer(const JsonCursor& c) {
  return c.integer();
}
Pair read_positive_pair(const JsonCursor& c) {
  return read_pair(c, 1);
}
Pair read_non_negative_pair(const JsonCursor& c) {
  return read_pair(c, 0);
}

template <typename T>
void optional_field(
    const JsonCursor& layer, std::string_view key, T& out, auto read) {
  if (const auto c = layer.find(key)) out = read(*c);
}

// Types without hyper-parameters.
LayerOptions parse(const JsonCursor&, const auto& defaults) {
  return defaults;
}

LayerOptions parse(const JsonCursor& layer, LinearOptions o) {
  o.out_features =
      layer.require("out_features", "a positive integer").positive();
  optional_field(layer, "bias", o.bias, read_bool);
  return o;
}

LayerOptions parse(const JsonCursor& layer, Conv2dOptions o) {
  o.out_channels =
      layer.require("out_channels", "a positive integer").positive();
  o.kernel_size = read_pair(
      layer.require("kernel_size", "a positive integer or [height, width]"), 1);
  optional_field(layer, "stride", o.stride, read_positive_pair);
  optional_field(layer, "padding", o.padding, read_non_negative_pair);
  optional_field(layer, "dilation", o.dilation, read_positive_pair);
  if (const auto groups = layer.find("groups")) {
    o.groups = groups->positive();
    if (o.out_channels % o.groups != 0) {
      groups->fail(
          "out_channels (" + std::to_string(o.out_channels) +
          ") must be divisible by groups; got " + groups->got());
    }
  }
  optional_field(layer, "bias", o.bias, read_bool);
  return o;
}

LayerOptions parse(const JsonCursor& layer, LeakyReLUOptions o) {
  optional_field(layer, "negative_slope", o.negative_slope, read_number);
  return o;
}

LayerOptions parse(const JsonCursor& layer, GELUOptions o) {
  if (const auto approximate = layer.find("approximate")) {
    const nlohmann::json& j = approximate->json();
    if (!j.is_string() || (j != "none" && j != "tanh")) {
      approximate->expected("one of none, tanh");
    }
    o.approximate = j.get<std::string>();
  }
  return o;
}

// MaxPool2d / AvgPool2d share kernel, stride (default: the kernel) and a
// padding of at most half the kernel, as PyTorch checks.
template <typename Options>
Options pool2d(const JsonCursor& layer, Options o) {
  o.kernel_size = read_pair(
      layer.require("kernel_size", "a positive integer or [height, width]"), 1);
  optional_field(layer, "stride", o.stride, read_positive_pair);
  if (const auto padding = layer.find("padding")) {
    o.padding = read_pair(*padding, 0);
    const Pair half{o.kernel_size[0] / 2, o.kernel_size[1] / 2};
    if (o.padding[0] > half[0] || o.padding[1] > half[1]) {
      padding->expected(
          "at most half the kernel size [" + std::to_string(half[0]) + ", " +
          std::to_string(half[1]) + "]");
    }
  }
  return o;
}

LayerOptions parse(const JsonCursor& layer, MaxPool2dOptions o) {
  return pool2d(layer, o);
}

LayerOptions parse(const JsonCursor& layer, AvgPool2dOptions o) {
  o = pool2d(layer, o);
  optional_field(layer, "count_include_pad", o.count_include_pad, read_bool);
  return o;
}

LayerOptions parse(const JsonCursor& layer, BatchNorm2dOptions o) {
  if (const auto eps = layer.find("eps")) {
    o.eps = eps->number();
    if (!(o.eps > 0)) eps->expected("a number > 0");
  }
  if (const auto momentum = layer.find("momentum")) {
    o.momentum = momentum->number();
    if (!(o.momentum >= 0 && o.momentum <= 1)) {
      momentum->expected("a number in [0, 1]");
    }
  }
  return o;
}

LayerOptions parse(const JsonCursor& layer, FlattenOptions o) {
  optional_field(layer, "start_dim", o.start_dim, read_integer);
  optional_field(layer, "end_dim", o.end_dim, read_integer);
  return o;
}

LayerOptions parse(const JsonCursor& layer, SoftmaxOptions o) {
  optional_field(layer, "dim", o.dim, read_integer);
  return o;
}

// One entry per LayerOptions alternative, built from the variant itself so
// the tables cannot drift from kLayerTypeNames' order.
struct TypeEntry {
  LayerOptions (*parse)(const JsonCursor&);
  Keys option_keys;
  Keys param_keys;
};

template <std::size_t... I>
constexpr auto make_types(std::index_sequence<I...>) {
  return std::array<TypeEntry, sizeof...(I)>{TypeEntry{
      [](const JsonCursor& layer) {
        return parse(layer, std::variant_alternative_t<I, LayerOptions>{});
      },
      option_keys(std::variant_alternative_t<I, LayerOptions>{}),
      param_keys(std::variant_alternative_t<I, LayerOptions>{})}...};
}

const auto kTypes =
    make_types(std::make_index_sequence<std::variant_size_v<LayerOptions>>{});
static_assert(kTypes.size() == kLayerTypeNames.size());

}  // namespace

std::size_t parse_layer_type(const JsonCursor& type) {
  const std::string name = type.non_empty_string();
  for (std::size_t i = 0; i < kLayerTypeNames.size(); ++i) {
    if (kLayerTypeNames[i] == name) return i;
  }
  const std::vector<std::string> known(
      kLayerTypeNames.begin(), kLayerTypeNames.end());
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  const std::string hint = closest_match(name, known);
  type.fail(
      "unknown layer type " + type.got() + ";" +
      (hint.empty() ? "" : " did you mean \"" + hint + "\"?") +
      " expected one of " + list);
}

std::span<const std::string_view> layer_option_keys(std::size_t type_index) {
  return kTypes.at(type_index).option_keys;
}

LayerOptions parse_layer_options(
    const JsonCursor& layer, std::size_t type_index) {
  return kTypes.at(type_index).parse(layer);
}

std::vector<std::string_view> layer_param_names(const LayerOptions& options) {
  std::vector<std::string_view> names;
  for (const std::string_view p : layer_param_names(options.index())) {
    // A Linear/Conv2d with bias false owns no bias.
    const bool no_bias = std::visit(
        [](const auto& o) {
          if constexpr (requires { o.bias; }) {
            return !o.bias;
          } else {
            return false;
          }
        },
        options);
    if (p == "bias" && no_bias) continue;
    names.push_back(p);
  }
  return names;
}

std::span<const std::string_view> layer_param_names(std::size_t type_index) {
  return kTypes.at(type_index).param_keys;
}

}  // namespace initforge
