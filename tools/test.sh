#!/usr/bin/env bash
# Install what is missing, build with warnings as errors, run the whole suite.
# Usage: tools/test.sh [PRESET]   (ci by default; asan for the sanitizer build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-ci}
"$root/tools/build.sh" "$preset"
cd "$root"
ctest --preset "$preset" -j "$(nproc)"
