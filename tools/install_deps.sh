#!/usr/bin/env bash
# Installs the Debian 12 packages initforge builds and tests with, when missing.
# Usage: tools/install_deps.sh [--bench]   (--bench adds PyTorch/NumPy/SciPy for
# the comparison benchmarks and golden-data scripts; python3-matplotlib is for
# the plots of `initforge train`)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libdnnl-dev libboost-dev nlohmann-json3-dev libcli11-dev
  liblapacke-dev liblapack-dev libblas-dev zlib1g-dev dataset-fashion-mnist
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-matplotlib
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3 python3-numpy python3-scipy python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}" >&2
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
  --no-install-recommends "${missing[@]}"
