// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace initforge::cli {

/// libgomp reads its wait policy once, when it is loaded (before main), and
/// by default spins ~3 ms at every wait: on a machine busy with other work
/// the spinning threads take the cores the working ones need. When the user
/// set neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT, this re-executes the
/// program once (/proc/self/exe) with a short GOMP_SPINCOUNT; it returns
/// only when nothing needs doing or the exec failed (then the default
/// stays).
void choose_openmp_wait(char** argv);

/// "GOMP_SPINCOUNT=N" or "OMP_WAIT_POLICY=P" as this process has them, or
/// "libgomp default".
std::string openmp_wait_text();

}  // namespace initforge::cli
