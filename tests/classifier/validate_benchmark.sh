#!/bin/bash
# Not a test: times `calo3dgan validate` of two Monte Carlo sets with and without the new
# two-sample tests, each configuration in the same session on the same files (README.md).
#   tests/classifier/validate_benchmark.sh BUILD_DIR [EVENTS=10000] [ENERGY_GEV=5] [DIR=/tmp/calo3dgan-validate-bench]
# The sets are simulated once (seeds 1 and 2) and kept in DIR for reruns.
set -euo pipefail
cli="$1/calo3dgan"
events="${2:-10000}"
energy="${3:-5}"
dir="${4:-/tmp/calo3dgan-validate-bench}"
mkdir -p "$dir"
for seed in 1 2; do
  file="$dir/mc${energy}_${events}_s$seed.h5"
  if [ ! -f "$file" ]; then
    start=$(date +%s.%N)
    "$cli" simulate --events "$events" --energy "$energy" --seed "$seed" --threads 2 --quiet --out "$file"
    echo "simulated $file in $(echo "$(date +%s.%N) - $start" | bc) s"
  fi
done
run() {
  local label="$1"
  shift
  local start
  start=$(date +%s.%N)
  "$cli" validate --reference "$dir/mc${energy}_${events}_s1.h5" --candidate "$dir/mc${energy}_${events}_s2.h5" \
    --bins "$energy" --out "$dir/report-$label" "$@" | sed 's/^/  /'
  printf '%-44s %8.1f s\n' "$label" "$(echo "$(date +%s.%N) - $start" | bc)"
}
echo "validate, $events vs $events showers of $energy GeV, $(nproc) cores, $(date -u +%F)"
run "observables only (--no-classifier --no-distances)" --no-classifier --no-distances
run "observables + FPD/KPD (--no-classifier)" --no-classifier
run "everything (default)"
