// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a config file (JSON, every section, init specs against the
// built-in plugins).
#include "tests/fuzz/guard.h"

extern "C" int LLVMFuzzerTestOneInput(
    const std::uint8_t* data, std::size_t size) {
  return initforge::fuzz::run_one(initforge::fuzz::config_entry, data, size);
}
