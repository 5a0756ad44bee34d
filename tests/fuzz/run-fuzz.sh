#!/bin/bash
# Runs each libFuzzer target for SECONDS, seeded from the spec suite.
# usage: run-fuzz.sh FUZZ_BIN_DIR SECONDS
# Seeds: the suite's .wast scripts (text target) and the binary modules in
# them (decode target, extracted by `cairn wast --dump-binaries` when
# available). Findings go to tests/fuzz/findings-*/; minimise them into
# tests/regress/modules/ once fixed.
set -euo pipefail
bindir=$1
secs=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
suite=${CAIRN_SHARED:-$root/../shared}/wasm-testsuite/wasm-2.0
[ -d "$suite" ] || { echo "run-fuzz: spec suite not found at $suite" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/text" "$work/bin" "$work/decode-new" "$work/text-new"
cp "$suite"/*.wast "$work/text/"
# binary seeds: every (module binary ...) and every text module converted by cairn
if [ -x "$root/build/cairn" ]; then
  "$root/build/cairn" wast --dump-binaries "$work/bin" "$suite"/*.wast >/dev/null 2>&1 || true
fi
for t in decode text; do
  exe="$bindir/fuzz_$t"
  [ -x "$exe" ] || { echo "run-fuzz: $exe missing" >&2; exit 1; }
  seeds="$work/bin"; [ "$t" = text ] && seeds="$work/text"
  corpus="$root/tests/fuzz/corpus-$t"
  mkdir -p "$corpus" "$root/tests/fuzz/findings-$t"
  echo "== fuzz_$t for ${secs}s"
  "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -artifact_prefix="$root/tests/fuzz/findings-$t/" "$work/$t-new" "$corpus" "$seeds" \
    2>&1 | tail -5 || { echo "run-fuzz: fuzz_$t found a crash (see tests/fuzz/findings-$t/)"; exit 1; }
done
echo "fuzz: no crash"
