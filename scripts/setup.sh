#!/usr/bin/env bash
# Installs what is missing on Debian 12 (apt) and builds calo3dgan into ./build.
# Used by both README commands and by .ci/run. Re-running it is cheap: it installs nothing
# that is present and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libhdf5-dev nlohmann-json3-dev libcli11-dev libfmt-dev libdnnl-dev libfftw3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox
  python3 python3-h5py python3-numpy python3-jsonschema python3-torch
  chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_type="${CALO_BUILD_TYPE:-Release}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" ${CALO_CMAKE_ARGS:-} >/dev/null
cmake --build build --parallel "$(nproc)"
