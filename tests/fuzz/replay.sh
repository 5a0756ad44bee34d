#!/bin/bash
# replay.sh BUILD_TESTS_DIR CAIRN SHARED_DIR
# Replays the fuzz corpora through the fuzz targets' code in an ordinary
# build (tests/fuzz/replay_main.c): the seeds (every module of the spec
# suite, dumped by `cairn wast --dump-binaries`, and the suite's scripts as
# text), the committed corpora tests/fuzz/corpus-<target>/ and the regression
# modules. A crash fails the test, and so does a corpus directory that is
# missing or empty, or a fuzz target without a corpus: the counts printed are
# the inputs each target really ran.
set -euo pipefail
bin=$1 cairn=$2 suite=$3/wasm-testsuite/wasm-2.0
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$suite" ] || { echo "replay: FAIL: spec suite not found at $suite" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-replay.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
"$cairn" wast --dump-binaries "$work/bin" "$suite"/*.wast >/dev/null 2>&1 || true
n=$(ls "$work/bin" | wc -l)
[ "$n" -gt 1000 ] || { echo "replay: FAIL: only $n seed modules dumped" >&2; exit 1; }

pass=0 fail=0
run() {  # run TARGET DIR...
  local t=$1 out
  shift
  if [ ! -x "$bin/replay_fuzz_$t" ]; then
    echo "replay: FAIL: $bin/replay_fuzz_$t missing"; fail=$((fail + 1)); return
  fi
  if out=$("$bin/replay_fuzz_$t" "$@" 2>&1); then
    echo "$t: ${out#replay: }"; pass=$((pass + 1))
  else
    echo "replay: FAIL: fuzz_$t (exit $?):"; printf '%s\n' "$out" | tail -20 | sed 's/^/  /'
    fail=$((fail + 1))
  fi
}
run decode "$work/bin" "$root/tests/fuzz/corpus-decode" "$root/tests/regress/modules"
run text "$suite" "$root/tests/fuzz/corpus-text"
run http "$root/tests/fuzz/corpus-http"
# every fuzz target must be replayed above
for src in "$root"/tests/fuzz/fuzz_*.c; do
  t=$(basename "$src" .c); t=${t#fuzz_}
  case " decode text http " in *" $t "*) ;; *)
    echo "replay: FAIL: fuzz_$t has no corpus replay in tests/fuzz/replay.sh"; fail=$((fail + 1)) ;;
  esac
done
echo "fuzz replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
