// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to libinitforge_model: objects whose "type" decides which other
// keys they take (train.optimizer, train.lr_schedule).

#include <cstddef>
#include <span>
#include <string_view>

#include "framework/model/json_cursor.h"

namespace initforge {

/// The keys (besides "type") one type of a section takes.
struct TypeKeys {
  std::string_view type;
  std::span<const std::string_view> keys;
};

/// Reads `section`'s "type" (required) and checks its keys: one no type
/// knows fails with a "did you mean" over all types' keys; one of another
/// type fails naming its owner and what the chosen type takes. Returns the
/// index of the type in `types`. `where` names the section ("the
/// optimizer").
std::size_t parse_typed_section(
    const JsonCursor& section,
    std::span<const TypeKeys> types,
    std::string_view where);

}  // namespace initforge
