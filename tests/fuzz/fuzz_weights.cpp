// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a safetensors weights file.
#include "tests/fuzz/guard.h"

extern "C" int LLVMFuzzerTestOneInput(
    const std::uint8_t* data, std::size_t size) {
  return initforge::fuzz::run_one(initforge::fuzz::weights_entry, data, size);
}
