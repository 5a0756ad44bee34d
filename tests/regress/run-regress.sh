#!/bin/bash
# Runs the regression modules and replays the module corpora.
#
# 1. Every module DIR/modules/NAME.{wasm,wat} is executed by DRIVER
#    (tests/fuzz/diff/diff_cairn.c: validate, instantiate, call every export
#    with fixed arguments, report results, traps, globals and a memory hash)
#    and its report must equal DIR/modules/NAME.expect, which every module
#    must have. REGRESS_UPDATE=1 writes the .expect files that are missing
#    (check them by hand: they are the test's truth).
# 2. Every module goes through `cairn validate`: exit 0 (valid) or 1
#    (rejected with a message). (The fuzz corpora are replayed, in process,
#    by ctest fuzz-replay: tests/fuzz/replay.sh.)
# A crash, a signal, an exit status >= 2, a time-out or a sanitizer report
# fails the test, as does a directory with no module.
#
# usage: run-regress.sh CAIRN DIR DRIVER
set -u
cairn=${1:-} dir=${2:-} driver=${3:-}
if [ -z "$cairn" ] || [ -z "$dir" ] || [ -z "$driver" ]; then
  echo "usage: run-regress.sh CAIRN DIR DRIVER" >&2
  exit 2
fi
for x in "$cairn" "$driver"; do
  [ -x "$x" ] || { echo "run-regress: '$x' not found or not executable" >&2; exit 2; }
done
sanitizer='ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:'

pass=0; fail=0
log=$(mktemp); out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT

modules=()
for f in "$dir"/modules/*.wasm "$dir"/modules/*.wat; do
  [ -f "$f" ] && modules+=("$f")
done
if [ "${#modules[@]}" -eq 0 ]; then
  echo "run-regress: FAIL: no modules in $dir/modules"
  exit 1
fi

executed=0
for f in "${modules[@]}"; do
  exp=${f%.*}.expect
  timeout 60 "$driver" "$f" >"$out" 2>"$log"
  rc=$?
  if [ "$rc" -ne 0 ] || grep -qE "$sanitizer" "$log"; then
    fail=$((fail + 1)); echo "FAIL: $f: driver exit $rc"; head -20 "$log" | sed 's/^/  /'
    continue
  fi
  if [ ! -f "$exp" ]; then
    if [ "${REGRESS_UPDATE:-}" = 1 ]; then
      cp "$out" "$exp"; echo "run-regress: wrote $exp"
    else
      fail=$((fail + 1)); echo "FAIL: $f has no expected outcome ${exp##*/} (REGRESS_UPDATE=1 writes it)"
      continue
    fi
  fi
  if diff -u "$exp" "$out" >"$log"; then
    pass=$((pass + 1))
    grep -q '^call ' "$out" && executed=$((executed + 1))
  else
    fail=$((fail + 1)); echo "FAIL: $f: outcome differs from ${exp##*/}:"; head -30 "$log" | sed 's/^/  /'
  fi
done
echo "regress: ${#modules[@]} modules run against their .expect ($executed with exports called)"

inputs=("${modules[@]}")
for f in "${inputs[@]}"; do
  timeout 60 "$cairn" validate "$f" >"$log" 2>&1
  rc=$?
  if [ "$rc" -le 1 ] && ! grep -qE "$sanitizer" "$log"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: cairn validate $f (exit $rc)"
    head -20 "$log" | sed 's/^/  /'
  fi
done
echo "regress: ${#inputs[@]} inputs validated; $pass passed, $fail failed"
[ "$fail" -eq 0 ]
