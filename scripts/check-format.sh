#!/usr/bin/env bash
# Fails (exit 1) when a C++ file of the project differs from what clang-format makes of it with
# the project's .clang-format, naming each such file; `scripts/check-format.sh --fix` rewrites
# them instead. Run by CTest (test style_clang_format) and so by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format: clang-format not found (scripts/setup.sh installs it)" >&2; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cc' '*.hh' '*.h' '*.cpp')
else
  mapfile -t files < <(find src include tests bench examples -name '*.cc' -o -name '*.hh' 2>/dev/null)
fi
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} of ${#files[@]} files are not formatted as .clang-format says (fix: scripts/check-format.sh --fix):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says"
