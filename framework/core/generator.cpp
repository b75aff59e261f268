// SPDX-License-Identifier: Apache-2.0
#include "framework/core/generator.h"

#include <string>

#include "framework/core/error.h"
#include "framework/core/rng/philox_generator.h"
#include "framework/core/rng/torch_generator.h"

namespace initforge {

Generator::~Generator() = default;
RandomSource::~RandomSource() = default;

RngKind parse_rng_kind(std::string_view text) {
  if (text == "philox") return RngKind::Philox;
  if (text == "torch") return RngKind::Torch;
  throw UsageError(
      "unknown rng \"" + std::string(text) +
      "\"; expected one of philox, torch");
}

std::string_view to_string(RngKind kind) {
  return kind == RngKind::Philox ? "philox" : "torch";
}

std::unique_ptr<RandomSource> RandomSource::create(
    RngKind kind, std::uint64_t seed) {
  if (kind == RngKind::Philox) return make_philox_source(seed);
  return make_torch_source(seed);
}

}  // namespace initforge
