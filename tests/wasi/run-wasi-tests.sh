#!/usr/bin/env bash
# run-wasi-tests.sh CAIRN SUITE_DIR
# Runs the official WASI preview1 test suite (../shared/wasi-testsuite) through
# `CAIRN run`. For each SUITE_DIR/{c,rust,assemblyscript}/NAME.wasm, NAME.json
# (optional) gives args, env, root (a folder preopened as "/" on a fresh copy),
# exit_code (default 0) and the exact expected stdout. Prints PASS/FAIL per
# test and `wasi: N passed, N failed` last; exits non-zero if any failed.
# Needs jq. TIMEOUT (seconds per test, default 60) may be set in the environment;
# CAIRN_WRAP, a program that runs its arguments (e.g. tests/wasi/no_openat2),
# is put in front of every `CAIRN run`; CAIRN_RUNNER, a command prefix split
# at spaces (e.g. "qemu-aarch64" for a cross-built CAIRN:
# tests/cross/run-cross.sh), in front of CAIRN itself.
# CAIRN_RUN_OPTS (words, e.g. --aot) follow `run`. CAIRN_PRECOMPILE, a command
# such as "build/cairn compile --target aarch64-linux-gnu", compiles each test
# to native code first, and the .cwasm runs in its place.
set -u
CAIRN=${1:?usage: run-wasi-tests.sh CAIRN SUITE_DIR}
SUITE=${2:?usage: run-wasi-tests.sh CAIRN SUITE_DIR}
TIMEOUT=${TIMEOUT:-60}
[ -d "$SUITE" ] || { echo "run-wasi-tests.sh: no test suite at $SUITE"; echo "wasi: 0 passed, 1 failed"; exit 1; }
command -v jq >/dev/null || { echo "run-wasi-tests.sh: jq is required"; echo "wasi: 0 passed, 1 failed"; exit 1; }
CAIRN=$(cd "$(dirname "$CAIRN")" && pwd)/$(basename "$CAIRN")
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-wasi.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
pass=0 fail=0
for sub in c rust assemblyscript; do
  [ -d "$SUITE/$sub" ] || continue
  for wasm in "$SUITE/$sub"/*.wasm; do
    [ -e "$wasm" ] || continue
    name=$(basename "$wasm" .wasm)
    json="$SUITE/$sub/$name.json"
    [ -f "$json" ] || json=/dev/null
    t="$work/$sub-$name"
    mkdir -p "$t"
    cmd=(${CAIRN_WRAP:+"$CAIRN_WRAP"} ${CAIRN_RUNNER:-} "$CAIRN" run ${CAIRN_RUN_OPTS:-})
    root=$(jq -r '.root // empty' <"$json" 2>/dev/null)
    if [ -n "$root" ]; then
      cp -R "$SUITE/$sub/$root" "$t/root" && chmod -R u+w "$t/root"
      cmd+=(--dir "$t/root::/")
    fi
    while IFS= read -r -d '' kv; do cmd+=(--env "$kv"); done \
      < <(jq -j '(.env // {}) | to_entries[] | "\(.key)=\(.value)\u0000"' <"$json" 2>/dev/null)
    if [ -n "${CAIRN_PRECOMPILE:-}" ]; then
      if $CAIRN_PRECOMPILE "$wasm" -o "$t/$name.cwasm" >"$t/cc.err" 2>&1; then
        cmd+=("$t/$name.cwasm")
      else
        echo "FAIL $sub/$name (precompile)"; sed 's/^/    /' "$t/cc.err" | head -5
        fail=$((fail + 1)); continue
      fi
    else
      cmd+=("$wasm")
    fi
    while IFS= read -r -d '' arg; do cmd+=("$arg"); done \
      < <(jq -j '(.args // [])[] | "\(.)\u0000"' <"$json" 2>/dev/null)
    want_code=$(jq -r '.exit_code // 0' <"$json" 2>/dev/null)
    [ -n "$want_code" ] || want_code=0
    has_stdout=$(jq -r 'has("stdout")' <"$json" 2>/dev/null)
    jq -j '.stdout // ""' <"$json" >"$t/want" 2>/dev/null
    (cd "$t" && timeout "$TIMEOUT" "${cmd[@]}" </dev/null >"$t/out" 2>"$t/err")
    code=$?
    why=""
    if [ "$code" != "$want_code" ]; then
      why="exit code $code, want $want_code"
    elif [ "$has_stdout" = true ] && ! cmp -s "$t/out" "$t/want"; then
      why="stdout differs"
    fi
    if [ -z "$why" ]; then
      echo "PASS $sub/$name"
      pass=$((pass + 1))
    else
      echo "FAIL $sub/$name: $why"
      head -c 600 "$t/err" | sed 's/^/    /'
      fail=$((fail + 1))
    fi
  done
done
if [ $((pass + fail)) -eq 0 ]; then
  echo "run-wasi-tests.sh: no test found in $SUITE/{c,rust,assemblyscript}"
  fail=1
fi
echo "wasi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
