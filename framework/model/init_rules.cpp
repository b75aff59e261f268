// SPDX-License-Identifier: Apache-2.0
#include "framework/model/init_rules.h"

#include <algorithm>
#include <string>

#include <fnmatch.h>

namespace initforge {

bool glob_match(std::string_view pattern, std::string_view text) {
  // fnmatch(3) without FNM_PATHNAME/FNM_PERIOD: '*' crosses dots. Only '*'
  // and '?' are special here: FNM_NOESCAPE keeps '\' literal, "[[]" is '['.
  std::string quoted;
  for (const char c : pattern) {
    if (c == '[') {
      quoted += "[[]";
    } else {
      quoted += c;
    }
  }
  // A NUL byte (JSON allows one in a string) would end the C strings early.
  if (quoted.find('\0') != std::string::npos ||
      text.find('\0') != std::string_view::npos) {
    return pattern == text;
  }
  return ::fnmatch(quoted.c_str(), std::string(text).c_str(), FNM_NOESCAPE) ==
         0;
}

std::vector<std::string> rule_names(
    const LayerConfig& layer, std::string_view param) {
  const std::string suffix = "." + std::string(param);
  std::vector<std::string> names{
      layer.name + suffix, layer.spec.type_name() + suffix};
  for (const std::string& role : layer.roles) {
    names.push_back("@" + role + suffix);
  }
  return names;
}

bool rule_matches(
    std::string_view pattern,
    const LayerConfig& layer,
    std::string_view param) {
  const std::vector<std::string> names = rule_names(layer, param);
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
    return glob_match(pattern, n);
  });
}

}  // namespace initforge
