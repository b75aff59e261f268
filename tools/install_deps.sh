#!/usr/bin/env bash
# Installs the Debian 12 packages initforge builds and tests with, when missing.
# Usage: tools/install_deps.sh [--test | --bench] [--print]
#   (default)  everything any preset builds with: compilers, libraries, the
#              test and benchmark frameworks, clang + libFuzzer for the fuzz
#              targets, OpenBLAS for the suite's second BLAS
#   --test     also PyTorch, torchvision and NumPy, which tests use to cross-check files
#              and values against PyTorch on this machine
#   --bench    also SciPy, for the comparison benchmarks and golden scripts
#   --print    print the package list, one per line, and install nothing
# Packages are installed with --no-install-recommends, so every package the
# build uses is named here (../shared/tools/check-install-deps checks it).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  # oneDNN's CMake package looks for OpenCL, which libdnnl-dev only recommends
  libdnnl-dev ocl-icd-opencl-dev
  libboost-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  # SHA-256 of the plugin libraries a config brings (initforge trust)
  libssl-dev
  # torch-mode orthogonal: LAPACK; philox-mode orthogonal: Eigen's QR
  liblapacke-dev liblapack-dev libblas-dev libeigen3-dev
  # the suite runs under reference BLAS and under OpenBLAS (CMakePresets.json)
  libopenblas0-pthread
  dataset-fashion-mnist python3-matplotlib
  libgtest-dev libgmock-dev libbenchmark-dev
  # the asan preset (suite and fuzz targets): clang, libFuzzer, libomp
  clang-15 libfuzzer-15-dev libomp-15-dev
)
print=0
for arg in "$@"; do
  case "$arg" in
    --test) packages+=(python3 python3-numpy python3-torch python3-torchvision) ;;
    --bench) packages+=(python3 python3-numpy python3-torch python3-torchvision python3-scipy) ;;
    --print) print=1 ;;
    *) echo "usage: tools/install_deps.sh [--test | --bench] [--print]" >&2
       exit 2 ;;
  esac
done
if [[ $print -eq 1 ]]; then
  printf '%s\n' "${packages[@]}" | awk '!seen[$0]++'
  exit 0
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
