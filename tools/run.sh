#!/usr/bin/env bash
# The main job: install what is missing, build, and initialize one tensor with a
# built-in plugin scheme (He-uniform for a 256x784 Linear weight).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/build.sh" release
"$root/build/release/initforge" plugins
"$root/build/release/initforge" sample kaiming_uniform --shape 256,784 \
  --arg nonlinearity=relu --seed 0 "$@"
