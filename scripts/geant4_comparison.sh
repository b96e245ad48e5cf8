#!/usr/bin/env bash
# Reruns the Geant4 development-set comparison (docs/physics.md, "Agreement with Geant4"):
# `calo3dgan bench geant4` for every summary in the reference folder.
# Usage: scripts/geant4_comparison.sh [reference-folder] [events at 10 GeV] [events at 100 GeV]
set -euo pipefail
ref=${1:-"$(dirname "$0")/../../shared/geant4-reference"}
n10=${2:-300}
n100=${3:-100}
bin=${CALO3DGAN:-"$(dirname "$0")/../build/calo3dgan"}
for json in "$ref"/*_*.json; do
  case "$json" in *_geometry.json) continue ;; esac
  events=$n10
  case "$json" in *_100.json) events=$n100 ;; esac
  "$bin" bench geant4 --reference "$json" --events "$events" --threads "${THREADS:-1}"
  echo
done
