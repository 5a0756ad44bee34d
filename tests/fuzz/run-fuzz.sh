#!/bin/bash
# Runs each fuzz target for SECONDS, one after the other, and prints per
# target the CPU seconds used, the executions and the crashes.
# usage: run-fuzz.sh FUZZ_BUILD_DIR SECONDS [TARGET...]
#   FUZZ_BUILD_DIR: build-fuzz (CAIRN_FUZZ=ON): fuzz/fuzz_* and tests/diff_cairn
#   TARGET: decode text http diff (default: all four)
# Seeds: the spec suite's binary modules (decode, dumped by `cairn wast
# --dump-binaries`) and scripts (text), and the committed corpora
# tests/fuzz/corpus-<target>/. New inputs go to a temporary directory
# ($FUZZ_NEW_DIR/<target>/ if FUZZ_NEW_DIR is set, to keep them); crash
# reproducers to tests/fuzz/findings-<target>/ (git-ignored): minimise them
# into tests/fuzz/corpus-<target>/ or tests/regress/modules/ once fixed.
# The differential harness (tests/fuzz/diff/run-diff.sh) runs for SECONDS
# from a seed taken from the clock (printed, so a run can be repeated).
# Exit status 1 if any target found a crash or a difference.
set -uo pipefail
bindir=${1:?usage: run-fuzz.sh FUZZ_BUILD_DIR SECONDS [TARGET...]}
secs=${2:-60}
shift 2 || shift $#
targets=${*:-decode text http diff}
root=$(cd "$(dirname "$0")/../.." && pwd)
suite=${CAIRN_SHARED:-$root/../shared}/wasm-testsuite/wasm-2.0
[ -d "$suite" ] || { echo "run-fuzz: spec suite not found at $suite" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/text" "$work/bin"
cp "$suite"/*.wast "$work/text/"
cairn=$bindir/cairn
[ -x "$cairn" ] || cairn=$root/build/cairn
"$cairn" wast --dump-binaries "$work/bin" "$suite"/*.wast >/dev/null 2>&1 || true
[ "$(ls "$work/bin" | wc -l)" -gt 1000 ] || { echo "run-fuzz: could not dump the seed modules" >&2; exit 1; }

status=0
for t in $targets; do
  mkdir -p "$root/tests/fuzz/findings-$t"
  log="$work/$t.log"
  start=$(date +%s)
  t0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  if [ "$t" = diff ]; then
    seed=$(date +%s)000
    echo "== diff (Cairn vs node) for ${secs}s from seed $seed"
    "$root/tests/fuzz/diff/run-diff.sh" --driver "$bindir/tests/diff_cairn" --seconds "$secs" \
      --seed "$seed" --findings "$root/tests/fuzz/findings-diff" >"$log" 2>&1
    rc=$?
    cat "$log"
    [ "$rc" -eq 0 ] || { echo "run-fuzz: diff found differences or crashes"; status=1; }
    continue
  fi
  exe="$bindir/fuzz/fuzz_$t"
  [ -x "$exe" ] || { echo "run-fuzz: $exe missing" >&2; status=1; continue; }
  case $t in
    decode) seeds="$work/bin" ;;
    text) seeds="$work/text" ;;
    *) seeds="" ;;
  esac
  corpus="$root/tests/fuzz/corpus-$t"
  new="$work/$t-new"
  [ -n "${FUZZ_NEW_DIR:-}" ] && new="$FUZZ_NEW_DIR/$t"
  mkdir -p "$new"
  echo "== fuzz_$t for ${secs}s"
  "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$root/tests/fuzz/findings-$t/" \
    "$new" "$corpus" $seeds >"$log" 2>&1
  rc=$?
  t1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=0
  if [ "$rc" -ne 0 ]; then
    crashes=1; status=1
    grep -E "ERROR|SUMMARY|invariant|Test unit written" "$log" | head -10
  fi
  cpu=$(( (t1 - t0) / $(getconf CLK_TCK) ))
  echo "fuzz_$t: $(( $(date +%s) - start )) s wall, $cpu CPU-s, ${execs:-?} executions, $crashes crashes$([ "$crashes" -eq 0 ] || echo " (see tests/fuzz/findings-$t/)")"
done
[ "$status" -eq 0 ] && echo "fuzz: no crash, no difference"
exit "$status"
