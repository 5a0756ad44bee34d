#!/bin/bash
# Runs the WebAssembly spec suite through `cairn wast` and compares the
# per-file counts with tests/spec/baseline.txt.
#
# usage: run-spec.sh CAIRN SUITE_DIR [core|simd|all] [--update] [-j N]
#   core   every *.wast except simd_*.wast (default)
#   simd   only simd_*.wast
#   all    both
#   --update  rewrite baseline.txt with the counts of this run (entries of
#             scripts not run are kept)
#
# Baseline lines: `FILE PASSED FAILED` (FILE is the script's base name; `#`
# starts a comment). The run FAILS if a script passes fewer assertions than
# its baseline or fails more; a script absent from the baseline must have no
# failure. Each script runs in its own `cairn wast` process (a crash or a
# time-out counts as one failure for that script only).
#
# CAIRN_RUNNER, a command prefix split at spaces (e.g. "qemu-aarch64" for a
# cross-built CAIRN: tests/cross/run-cross.sh), is put in front of every
# `CAIRN wast`.
# CAIRN_WAST_OPTS (words, e.g. "--aot -O1") are passed to every `cairn wast`.
# RUN_SPEC_TIMEOUT: seconds a script may take (600; then one retry under
# CAIRN_RUNNER).
set -u
here=$(cd "$(dirname "$0")" && pwd)
baseline="$here/baseline.txt"

cairn=${1:-}
suite=${2:-}
mode=core
update=0
jobs=$(nproc 2>/dev/null || echo 2)
shift 2 2>/dev/null || true
while [ $# -gt 0 ]; do
  case "$1" in
    core|simd|all) mode=$1 ;;
    --update) update=1 ;;
    -j) jobs=$2; shift ;;
    *) echo "run-spec: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$cairn" ] || [ -z "$suite" ]; then
  echo "usage: run-spec.sh CAIRN SUITE_DIR [core|simd|all] [--update] [-j N]" >&2
  exit 2
fi
if [ ! -x "$cairn" ]; then
  echo "run-spec: cairn binary '$cairn' not found or not executable" >&2
  exit 2
fi
if [ ! -d "$suite" ]; then
  echo "run-spec: spec suite directory '$suite' is missing" >&2
  echo "run-spec: (expected the wasm-2.0 scripts of the WebAssembly testsuite there;" >&2
  echo "run-spec:  set CAIRN_SHARED_DIR at cmake time to the folder holding wasm-testsuite/)" >&2
  exit 1
fi

files=()
for f in "$suite"/*.wast; do
  [ -e "$f" ] || continue
  b=$(basename "$f")
  case "$mode:$b" in
    core:simd_*) continue ;;
    simd:simd_*) ;;
    simd:*) continue ;;
  esac
  files+=("$f")
done
if [ ${#files[@]} -eq 0 ]; then
  echo "run-spec: no .wast scripts for mode '$mode' in $suite" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# cairn wast on one script with a limit of RUN_SPEC_TIMEOUT seconds (600),
# its output in $work/$b.out.
# timeout runs it in a process group of its own (the group's id is
# timeout's pid). A qemu-user fork that hangs does so with every signal
# blocked, so the SIGTERM that ends its parent leaves it behind, adopted by
# init, for good: whatever is left of the group is killed afterwards.
run_wast() {
  local cairn=$1 f=$2 b=$3 work=$4 t rc
  timeout -k 10 "${RUN_SPEC_TIMEOUT:-600}" ${CAIRN_RUNNER:-} "$cairn" wast ${CAIRN_WAST_OPTS:-} "$f" \
    >"$work/$b.out" 2>"$work/$b.err" &
  t=$!
  wait "$t"
  rc=$?
  kill -KILL -- "-$t" 2>/dev/null
  return "$rc"
}
export -f run_wast

# One process per script, in parallel; each leaves "NAME PASSED FAILED NOTE".
run_one() {
  local cairn=$1 f=$2 work=$3
  local b out rc line p q
  b=$(basename "$f")
  run_wast "$cairn" "$f" "$b" "$work"
  rc=$?
  # Under qemu-user a cairn that spawns the C compiler (wast --aot) has hung
  # in cross runs (qemu emulates posix_spawn's vfork with a fork, whose child
  # can deadlock in qemu before it execs): one retry tells an emulator hang
  # from a real one, which times out twice.
  if [ "$rc" -eq 124 ] && [ -n "${CAIRN_RUNNER:-}" ]; then
    echo "run-spec: $b timed out under $CAIRN_RUNNER; retrying once" >&2
    run_wast "$cairn" "$f" "$b" "$work"
    rc=$?
  fi
  out=$(cat "$work/$b.out")
  line=$(printf '%s\n' "$out" | grep -E "^.*: [0-9]+ passed, [0-9]+ failed$" | grep -v '^wast: ' | tail -1)
  if [ "$rc" -ge 124 ] || [ -z "$line" ]; then
    if [ "$rc" -eq 124 ]; then note="timed out"; else note="crashed (exit $rc)"; fi
    p=$(printf '%s\n' "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/p')
    echo "$b ${p:-0} 1 $note" >"$work/$b.res"
    return
  fi
  p=$(printf '%s\n' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/')
  q=$(printf '%s\n' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/')
  echo "$b $p $q" >"$work/$b.res"
}
export -f run_one
printf '%s\0' "${files[@]}" | xargs -0 -P "$jobs" -I{} bash -c 'run_one "$1" "$2" "$3"' _ "$cairn" {} "$work"

declare -A bpass bfail
if [ -f "$baseline" ]; then
  while read -r name p q _; do
    case "$name" in ''|'#'*) continue ;; esac
    bpass[$name]=$p
    bfail[$name]=$q
  done <"$baseline"
fi

tp=0; tf=0; regressions=0
declare -A npass nfail
for f in "${files[@]}"; do
  b=$(basename "$f")
  read -r name p q note <"$work/$b.res" || { p=0; q=1; note="no result"; }
  npass[$b]=$p; nfail[$b]=$q
  tp=$((tp + p)); tf=$((tf + q))
  status=""
  if [ -n "${bpass[$b]:-}" ]; then
    if [ "$p" -lt "${bpass[$b]}" ] || [ "$q" -gt "${bfail[$b]}" ]; then
      status="  REGRESSION (baseline ${bpass[$b]} passed, ${bfail[$b]} failed)"
      regressions=$((regressions + 1))
    elif [ "$p" -gt "${bpass[$b]}" ] || [ "$q" -lt "${bfail[$b]}" ]; then
      status="  (better than baseline ${bpass[$b]} passed, ${bfail[$b]} failed)"
    fi
  elif [ "$q" -gt 0 ]; then
    status="  FAIL (not in baseline: no failure allowed)"
    regressions=$((regressions + 1))
  fi
  echo "$b: $p passed, $q failed${note:+ [$note]}$status"
done
echo "spec ($mode): $tp passed, $tf failed, ${#files[@]} scripts"

if [ "$update" -eq 1 ]; then
  tmp="$work/baseline.new"
  {
    echo "# Spec suite baseline: FILE PASSED FAILED (see run-spec.sh). Regenerate with"
    echo "# tests/spec/run-spec.sh CAIRN SUITE_DIR [core|simd] --update"
    for name in "${!bpass[@]}"; do
      [ -n "${npass[$name]:-}" ] || echo "$name ${bpass[$name]} ${bfail[$name]}"
    done
    for name in "${!npass[@]}"; do echo "$name ${npass[$name]} ${nfail[$name]}"; done
  } | { read -r c1; read -r c2; echo "$c1"; echo "$c2"; sort; } >"$tmp"
  cp "$tmp" "$baseline"
  echo "run-spec: baseline updated ($baseline)"
  exit 0
fi

if [ "$regressions" -gt 0 ]; then
  echo "run-spec: $regressions script(s) below baseline"
  exit 1
fi
echo "run-spec: ok (no script below baseline)"
exit 0
