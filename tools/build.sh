#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release) after installing
# what is missing. Usage: tools/build.sh [PRESET]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
"$root/tools/install_deps.sh"
cd "$root"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
