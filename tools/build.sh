#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release) after installing
# what is missing. Usage: tools/build.sh [PRESET [TARGET...]]
# (no TARGET: everything the preset builds, tests and benchmarks included)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
shift || true
"$root/tools/install_deps.sh"
cd "$root"
cmake --preset "$preset" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
