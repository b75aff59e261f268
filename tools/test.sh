#!/usr/bin/env bash
# Install what is missing, build with warnings as errors, run the whole suite.
# Usage: tools/test.sh [PRESET]   (ci by default, then again as ci-openblas;
#                                  asan for the sanitizer build)
# The test presets pin reference BLAS/LAPACK (LD_LIBRARY_PATH), whichever
# libblas.so.3 alternative the machine has selected.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-ci}
"$root/tools/install_deps.sh" --test
"$root/tools/build.sh" "$preset"
cd "$root"
ctest --preset "$preset" -j "$(nproc)"
# The same build again under OpenBLAS: results must not depend on the BLAS.
if [ "$preset" = ci ]; then
  ctest --preset ci-openblas -j "$(nproc)"
fi
