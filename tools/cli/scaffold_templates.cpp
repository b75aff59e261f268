// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/scaffold_templates.h"

#include <string_view>
#include <utility>

namespace initforge::cli {
namespace {

constexpr std::string_view kCmakeLists =
    R"tmpl(# Plugin project written by `initforge new-plugin @NAME@`. Build it with
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=@PREFIX@
#   cmake --build build
cmake_minimum_required(VERSION 3.25)
project(@NAME@ VERSION 0.1.0 LANGUAGES CXX)

find_package(initforge @MAJOR_MINOR@ CONFIG REQUIRED)
initforge_add_plugin(@NAME@ SOURCES @NAME@.cpp)
)tmpl";

constexpr std::string_view kSource =
    R"tmpl(// @NAME@: an initforge initializer plugin, written by
// `initforge new-plugin @NAME@`; make the scheme yours by editing fill().
//
// Scheme "@NAME@": U(-b, b) with b = gain * sqrt(3 / fan), fan = fan_in or
// fan_out (argument mode), so the values have mean 0 and std
// gain / sqrt(fan): variance-scaling init as in He et al. 2015, "Delving
// Deep into Rectifiers" (arXiv:1502.01852), with gain sqrt(2) for ReLU.
#include <cmath>
#include <cstdint>
#include <memory>

#include "framework/plugin/plugin.h"

using namespace initforge;

namespace {

class Scheme final : public Initializer {
 public:
  // The arguments arrive checked against the schema below, defaults applied.
  explicit Scheme(const Args& args)
      : gain_(args.number("gain")),
        mode_(parse_fan_mode(args.string("mode"))) {}

  // Runs before anything is allocated: a parameter without fans (fewer than
  // 2 dimensions and no owning weight) is refused with PyTorch's message.
  void check(const ParamInfo& param) const override {
    param.require_fans();
  }

  // Elementwise: one bulk Generator call, so a shard filled alone gets the
  // values of the full fill and the thread count changes nothing.
  void fill(TensorView dst, const FillContext& ctx) const override {
    const double b = bound(ctx.param);
    ctx.gen.uniform(dst.data(), -b, b);
  }

  // The declared distribution: `initforge run` reports its std and
  // `initforge check-plugin` tests the values against it.
  Target target(const ParamInfo& param) const override {
    const double b = bound(param);
    return Target::uniform(-b, b);
  }

 private:
  double bound(const ParamInfo& param) const {
    const std::int64_t fan = select_fan(param.require_fans(), mode_);
    return fan > 0 ? gain_ * std::sqrt(3.0 / static_cast<double>(fan)) : 0.0;
  }

  double gain_;
  FanMode mode_;
};

}  // namespace

// The library's one entry point: registers its schemes by name.
INITFORGE_PLUGIN(registrar) {
  registrar.add({
      .name = "@NAME@",
      .doc = "U(-b, b), b = gain * sqrt(3 / fan): mean 0, std gain/sqrt(fan)",
      .args =
          {ArgSpec::number("gain", 1.0, "multiplies the std 1/sqrt(fan)")
               .at_least(0.0),
           ArgSpec::choice(
               "mode",
               "fan_in",
               {"fan_in", "fan_out"},
               "which fan sets the variance")
               .ignore_case()},
      .elementwise = true,
      .create = [](const Args& args) -> std::unique_ptr<Initializer> {
        return std::make_unique<Scheme>(args);
      },
  });
}
)tmpl";

constexpr std::string_view kReadme =
    R"tmpl(# @NAME@

An initforge initializer plugin with one scheme, `@NAME@`: U(-b, b) with
b = gain·√(3/fan) (mean 0, std gain/√fan; arguments `gain` = 1, ≥ 0, and
`mode` = `fan_in` | `fan_out`). Written by `initforge new-plugin` for
initforge @VERSION@. `@NAME@.cpp` is the whole plugin: change `fill()` (and
`target()`, the distribution it declares) to make the scheme yours.

## Build

```sh
cmake -S . -B build -DCMAKE_PREFIX_PATH=@PREFIX@
cmake --build build
```
@PREFIX_NOTE@
This builds `build/lib@NAME@.so` against the installed package only
(`find_package(initforge @MAJOR_MINOR@ CONFIG REQUIRED)` then
`initforge_add_plugin`). Use the compiler initforge was built with.

## Check

```sh
@CLI@ plugins --plugin-dir build
@CLI@ check-plugin @NAME@ --plugin-dir build
@CLI@ sample @NAME@ --shape 256,128 --arg gain=2 --plugin-dir build
```

`check-plugin` fills the scheme with 1 and 2 threads and in shards,
checks the argument schema and tests the values against the declared
distribution; it exits 0 only when everything passes.

## Use it in a config

`plugins.paths` is relative to the config file; every scheme of the
libraries found there can then be named in `init_rules` or a layer's
`init`. Save this as `example.json` next to this README:

```json
{
  "name": "@NAME@_example",
  "seed": 0,
  "input": [64],
  "plugins": {"paths": ["build"]},
  "layers": [
    {"name": "fc1", "type": "Linear", "out_features": 32},
    {"name": "relu1", "type": "ReLU"},
    {"name": "fc2", "type": "Linear", "out_features": 10}
  ],
  "init_rules": [
    {"pattern": "Linear.weight", "scheme": "@NAME@", "gain": 1.4142135623730951},
    {"pattern": "*.bias", "scheme": "zeros"}
  ]
}
```

A config's plugins run code, so initforge loads them only from a
directory you trusted (remembered with each library's SHA-256: trust it
again after a rebuild) or with `--trust-config-plugins` for one command:

```sh
@CLI@ trust build
@CLI@ run example.json --save-weights weights.safetensors
```
)tmpl";

std::string replace_all(
    std::string_view text,
    const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out(text);
  for (const auto& [key, value] : values) {
    for (std::size_t at = out.find(key); at != std::string::npos;
         at = out.find(key, at + value.size())) {
      out.replace(at, key.size(), value);
    }
  }
  return out;
}

}  // namespace

std::string major_minor(const std::string& version) {
  const std::size_t first = version.find('.');
  if (first == std::string::npos) return version;
  const std::size_t second = version.find('.', first + 1);
  return version.substr(0, second);
}

std::vector<ScaffoldFile> scaffold_files(const ScaffoldParams& params) {
  const std::string note =
      params.prefix_known
          ? ""
          : "\nThis project was written by an initforge that runs from its "
            "build tree:\ninstall it first (`cmake --install BUILD --prefix "
            "PREFIX`) and use that PREFIX.\n";
  const std::vector<std::pair<std::string, std::string>> values = {
      {"@NAME@", params.name},
      {"@VERSION@", params.version},
      {"@MAJOR_MINOR@", major_minor(params.version)},
      {"@PREFIX_NOTE@", note},
      {"@PREFIX@", params.prefix},
      {"@CLI@", params.cli},
  };
  return {
      {"CMakeLists.txt", replace_all(kCmakeLists, values)},
      {params.name + ".cpp", replace_all(kSource, values)},
      {"README.md", replace_all(kReadme, values)},
  };
}

}  // namespace initforge::cli
