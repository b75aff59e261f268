#!/usr/bin/env bash
# Rewrites configs/README.md's layer reference from the layer table:
# tools/update_layer_reference.sh [BUILD_DIR]   (build/release by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cli=${1:-$root/build/release}/initforge
readme=$root/configs/README.md
begin='<!-- layer reference: initforge layers --markdown -->'
end='<!-- end of the layer reference -->'
reference=$(mktemp)
out=$(mktemp "$readme.XXXXXX")
trap 'rm -f "$reference" "$out"' EXIT
"$cli" layers --markdown >"$reference"
# Keep the markers, replace what lies between them; write-then-rename.
awk -v begin="$begin" -v end="$end" -v ref="$reference" '
  $0 == begin { print; while ((getline line < ref) > 0) print line; skip = 1; next }
  $0 == end { skip = 0 }
  !skip { print }
' "$readme" >"$out"
grep -qxF "$begin" "$out" || { echo "no marker in $readme" >&2; exit 1; }
chmod --reference="$readme" "$out"
mv "$out" "$readme"
