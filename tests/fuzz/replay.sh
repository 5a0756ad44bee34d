#!/bin/bash
# replay.sh BUILD_TESTS_DIR CAIRN SHARED_DIR
# Replays the fuzz corpora through the fuzz targets' code in an ordinary
# build: the seeds (every module of the spec suite, dumped by `cairn wast
# --dump-binaries`, and the suite's scripts as text), the committed corpora
# tests/fuzz/corpus-*/ and the regression modules. A crash fails the test.
set -euo pipefail
bin=$1 cairn=$2 suite=$3/wasm-testsuite/wasm-2.0
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$suite" ] || { echo "replay: spec suite not found at $suite" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-replay.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
"$cairn" wast --dump-binaries "$work/bin" "$suite"/*.wast >/dev/null 2>&1 || true
n=$(ls "$work/bin" | wc -l)
[ "$n" -gt 1000 ] || { echo "replay: only $n seed modules dumped" >&2; exit 1; }
echo "decode: $("$bin/replay_fuzz_decode" "$work/bin" "$root/tests/fuzz/corpus-decode" "$root/tests/regress/modules")"
echo "text:   $("$bin/replay_fuzz_text" "$suite" "$root/tests/fuzz/corpus-text")"
echo "fuzz replay: 2 passed, 0 failed"
