#!/usr/bin/env bash
# The main job: install what is missing, build the CLI and its built-in
# plugins (nothing else), then build the example CNN from its config,
# initialize every parameter and run a forward pass.
# Extra arguments go to `initforge run` (e.g. --rng torch --batch 256).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/build.sh" release initforge
"$root/build/release/initforge" run "$root/configs/cnn.json" "$@"
