// SPDX-License-Identifier: Apache-2.0
#pragma once

// The one wording of "what was wanted, what came" in error messages:
// "expected X; got Y". Header-only, so plugins built against the SDK use it
// too.

#include <string>
#include <string_view>

namespace initforge {

/// "<rule>; got <got>", for a message that states its rule itself
/// ("batch must be >= 1; got 0").
inline std::string with_got(std::string_view rule, std::string_view got) {
  std::string text(rule);
  text += "; got ";
  text += got;
  return text;
}

/// "expected <expected>; got <got>".
inline std::string expected_got(
    std::string_view expected, std::string_view got) {
  return with_got("expected " + std::string(expected), got);
}

}  // namespace initforge
