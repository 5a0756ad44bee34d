#!/bin/bash
# Replays regression inputs through `cairn validate`: every file in
# DIR/modules/ and, when they exist, the fuzz corpora tests/fuzz/corpus-*/.
# Each run must exit 0 (valid) or 1 (rejected): an exit status >= 2, death by
# a signal, a time-out or a sanitizer report is a failure.
#
# usage: run-regress.sh CAIRN DIR
set -u
cairn=${1:-}
dir=${2:-}
if [ -z "$cairn" ] || [ -z "$dir" ]; then
  echo "usage: run-regress.sh CAIRN DIR" >&2
  exit 2
fi
if [ ! -x "$cairn" ]; then
  echo "run-regress: cairn binary '$cairn' not found or not executable" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)

inputs=()
if [ -d "$dir/modules" ]; then
  for f in "$dir"/modules/*; do
    [ -f "$f" ] || continue
    case "$(basename "$f")" in README*) continue ;; esac
    inputs+=("$f")
  done
fi
for c in "$root"/tests/fuzz/corpus-*/; do
  [ -d "$c" ] || continue
  for f in "$c"*; do
    [ -f "$f" ] && inputs+=("$f")
  done
done

pass=0; fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for f in "${inputs[@]}"; do
  timeout 60 "$cairn" validate "$f" >"$log" 2>&1
  rc=$?
  if [ "$rc" -le 1 ] && ! grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:" "$log"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $f (exit $rc)"
    head -20 "$log" | sed 's/^/  /'
  fi
done
echo "regress: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
