#!/usr/bin/env bash
# Installs what is missing on Debian 12 (apt) and builds calo3dgan into ./build.
# Used by both README commands and by .ci/run. Re-running it is cheap: it installs nothing
# that is present and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# ocl-icd-opencl-dev: Debian builds oneDNN with the OpenCL GPU runtime, so its dnnl-config.cmake
# calls find_package(OpenCL) and fails without libOpenCL.so and the CL headers. libdnnl-dev only
# *recommends* the package, and we install with --no-install-recommends (recommends would pull
# in hundreds of MB), so it is named here. Installing it is the CPU-only build's price: the
# alternative, faking OpenCL_LIBRARY/OpenCL_INCLUDE_DIR at configure time, would also have to be
# repeated by every find_package(calo3dgan) consumer, because our package config finds dnnl too.
packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  libhdf5-dev nlohmann-json3-dev libcli11-dev libfmt-dev libdnnl-dev ocl-icd-opencl-dev libfftw3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin
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
