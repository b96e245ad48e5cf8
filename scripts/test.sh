#!/usr/bin/env bash
# Runs every test, after scripts/setup.sh has built ./build: the Release suite (including the
# clang-format check, test style_clang_format), then the sanitizer build (ASan + UBSan with
# -fno-sanitize-recover, assertions on, -O1 -g1: preset asan, ./build-asan) and the suite again under
# it, less the full-size acceptance tests that skip there (tests/support/sanitized_build.hh).
# CALO_SKIP_SANITIZE=1 runs the Release suite only (a quick local check; CI runs both).
set -euo pipefail
cd "$(dirname "$0")/.."
ctest --test-dir build --output-on-failure --timeout 900 -j2
[ "${CALO_SKIP_SANITIZE:-0}" = 1 ] && exit 0
echo "test: sanitizer build (preset asan, build-asan/)"
cmake --preset asan >/dev/null
cmake --build --preset asan --parallel "$(nproc)"
# The style check and the PyTorch reference model's test (Python only, no calo3dgan code: 80-210 s)
# are the same either way: they run once, above.
ctest --preset asan --label-exclude "style|reference" --timeout 1800 -j2
