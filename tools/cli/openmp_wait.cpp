// SPDX-License-Identifier: Apache-2.0
#include "tools/cli/openmp_wait.h"

#include <cstdlib>

#include <unistd.h>

namespace initforge::cli {
namespace {

// Spin iterations before a waiting thread sleeps (libgomp counts about 100
// per microsecond): long enough to catch the next parallel region of a
// training step when the machine is idle, short enough not to starve a
// competing process (tools/bench/load_speed.py measures both).
constexpr const char* kSpinCount = "10000";

}  // namespace

void choose_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr ||
      std::getenv("GOMP_SPINCOUNT") != nullptr) {
    return;  // the user's choice
  }
  if (::setenv("GOMP_SPINCOUNT", kSpinCount, 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  ::unsetenv("GOMP_SPINCOUNT");  // exec failed: run on with libgomp's default
}

std::string openmp_wait_text() {
  for (const char* name : {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"}) {
    if (const char* value = std::getenv(name)) {
      return std::string(name) + "=" + value;
    }
  }
  return "libgomp default";
}

}  // namespace initforge::cli
