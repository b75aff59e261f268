// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: an IDX file, gzip or raw.
#include "tests/fuzz/guard.h"

extern "C" int LLVMFuzzerTestOneInput(
    const std::uint8_t* data, std::size_t size) {
  return initforge::fuzz::run_one(initforge::fuzz::idx_entry, data, size);
}
