// SPDX-License-Identifier: Apache-2.0
#pragma once

// The CLI's exit codes (README "Exit codes"): 1 is for internal errors only.

namespace initforge::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;  // a bug in initforge
inline constexpr int kExitBadInput = 2;  // usage, config, file, size
inline constexpr int kExitPlugin = 3;    // a plugin failed or was refused
inline constexpr int kExitDiverged = 4;  // training ran but its loss did not
                                         // stay finite (a result, not a bug)

}  // namespace initforge::cli
