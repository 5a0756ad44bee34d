#!/usr/bin/env bash
# run-cross.sh [TRIPLE...]: `make test-cross`. Cross-builds Cairn for each
# target (default: aarch64-linux-gnu riscv64-linux-gnu arm-linux-gnueabihf)
# with Debian's TRIPLE-gcc and cmake/toolchain-TRIPLE.cmake, without `serve`
# (CAIRN_WITH_SERVE=OFF: no cross jansson), into CROSS_BUILD/TRIPLE
# (default build-cross/TRIPLE), linked with a libsodium that
# scripts/cross-libsodium.sh builds once from Debian's source package into
# CROSS_BUILD/TRIPLE/sodium, and runs under qemu-user:
#   unit        the engine's unit tests (ctest -R '^unit/test_', the toolchain
#               file's CMAKE_CROSSCOMPILING_EMULATOR in front)
#   spec-core   tests/spec/run-spec.sh ... core  (Wasm 2.0 without SIMD)
#   spec-simd   tests/spec/run-spec.sh ... simd
#   wast        our own scripts, tests/wast/*.wast
#   wasi-progs  tests/wasi/run-programs.sh (our WASI programs)
#   wasi-suite  tests/wasi/run-wasi-tests.sh (the preview1 suite)
# and through the native tier (docs/aot.md), with code the x86-64 cairn
# (HOST_CAIRN, default build/cairn) compiles for TRIPLE:
#   wasi-progs-aot  our WASI programs, each a .cwasm made by
#                   `HOST_CAIRN compile --target TRIPLE` (CAIRN_PRECOMPILE)
#   wasi-suite-aot  the preview1 suite the same way
#   wast-aot        our own scripts, tests/wast/*.wast, by `cairn wast --aot`
#                   under qemu with TRIPLE-gcc (-O1): the native code's own
#                   paths per target (on non-x86 the C of CAIRN_RMW, on
#                   32-bit the explicit bounds checks)
#   spec-aot        the Wasm 2.0 suite (core and SIMD) by `cairn wast --aot`
#                   running under qemu, compiling with TRIPLE-gcc (-O1)
# The scripts get the emulator as CAIRN_RUNNER ("qemu-ARCH", plus
# "-L /usr/TRIPLE" if cairn is linked dynamically). Logs: CROSS_BUILD/TRIPLE/
# logs/STEP.log. Prints a table of the counts and times; exits 0 if every step
# passed, 1 if one failed, 77 if a target was skipped for a missing tool
# (under CI=true that is a failure: tests/missing-tool.sh).
# Environment: JOBS (parallel jobs, default nproc), CAIRN_SHARED_DIR (the
# folder with wasm-testsuite/ and wasi-testsuite/, default ../shared).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${CROSS_BUILD:-build-cross}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
shared=${CAIRN_SHARED_DIR:-$root/../shared}
shared=$(cd "$shared" 2>/dev/null && pwd || echo "$shared")
# every tests/unit/test_*.c (the unit_tests target of CMakeLists.txt)
units="unit_tests"
host_cairn=${HOST_CAIRN:-$root/build/cairn}
if [ $# -gt 0 ]; then triples=("$@"); else
  triples=(aarch64-linux-gnu riscv64-linux-gnu arm-linux-gnueabihf); fi

failed=0 skipped=0
rows=()
now() { date +%s; }

# step NAME CMD...: runs CMD with output to logs/NAME.log; its last line
# matching "N passed, M failed" (or ctest's summary) becomes the cell.
step() {
  local name=$1; shift
  local log=$logs/$name.log t0 rc cell
  t0=$(now)
  "$@" >"$log" 2>&1
  rc=$?
  local sum
  sum=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
  if [ -n "$sum" ]; then  # ctest
    set -- $(printf '%s\n' "$sum" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1 \2/')
    cell="$(( $2 - $1 ))/$1"
  else
    cell=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 |
           sed -E 's/.*[^0-9]([0-9]+) passed, ([0-9]+) failed.*/\1\/\2/')
  fi
  [ -n "$cell" ] || cell="-"
  if [ "$rc" -eq 77 ]; then
    cell="skipped"; skipped=1
  elif [ "$rc" -ne 0 ]; then
    cell="$cell FAIL"; failed=1
    echo "cross/$triple: $name FAILED (exit $rc), $log:"
    grep -E 'FAIL|REGRESSION|error' "$log" | head -20 | sed 's/^/    /'
  fi
  echo "cross/$triple: $name: $cell ($(( $(now) - t0 )) s)"
  cells+=("$cell")
}

t_all=$(now)
for triple in "${triples[@]}"; do
  tc=cmake/toolchain-$triple.cmake
  if [ ! -f "$tc" ]; then
    echo "run-cross: no toolchain file $tc" >&2
    failed=1; continue
  fi
  qemu=$(sed -nE 's/^set\(CAIRN_CROSS_QEMU ([^ )]+)\)/\1/p' "$tc")
  missing=""
  command -v "$triple-gcc" >/dev/null || missing="$triple-gcc"
  command -v "$qemu" >/dev/null || missing="${missing:+$missing }$qemu"
  if [ -n "$missing" ]; then
    tests/missing-tool.sh "cross/$triple" "$missing not found (scripts/install-deps.sh --cross)"
    rc=$?
    if [ "$rc" -eq 77 ]; then skipped=1; rows+=("| $triple | skipped: $missing |"); else
      failed=1; rows+=("| $triple | FAIL: $missing missing |"); fi
    continue
  fi
  dir=$build/$triple
  logs=$dir/logs
  mkdir -p "$logs"
  cells=()
  t0=$(now)
  # libsodium for the target, from Debian's source package, built once into
  # $dir/sodium (scripts/cross-libsodium.sh; Debian has none for riscv64).
  sodium=$(cd "$dir" && pwd)/sodium
  if ! JOBS=$jobs scripts/cross-libsodium.sh "$triple" "$sodium" >"$logs/sodium.log" 2>&1; then
    echo "cross/$triple: libsodium build FAILED, $logs/sodium.log:"; tail -15 "$logs/sodium.log" | sed 's/^/    /'
    failed=1; rows+=("| $triple | libsodium FAIL |"); continue
  fi
  echo "cross/$triple: configure and build (logs in $logs)"
  # shellcheck disable=SC2086
  if ! { cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$tc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
           -DCAIRN_WITH_SERVE=OFF -DCAIRN_SHARED_DIR="$shared" \
           -DSODIUM_INCLUDE_DIR="$sodium/include" -DSODIUM_LIBRARY="$sodium/lib/libsodium.a" &&
         nice cmake --build "$dir" -j "$jobs" --target cairn $units; } >"$logs/build.log" 2>&1; then
    echo "cross/$triple: build FAILED:"; grep -E 'error|Error' "$logs/build.log" | head -20 | sed 's/^/    /'
    failed=1; rows+=("| $triple | build FAIL |"); continue
  fi
  tb=$(( $(now) - t0 ))
  cairn=$dir/cairn
  machine=$("$triple-readelf" -h "$cairn" | sed -nE 's/^ *Machine: *//p')
  runner=$qemu
  if "$triple-readelf" -l "$cairn" | grep -q INTERP; then runner="$qemu -L /usr/$triple"; fi
  echo "cross/$triple: $cairn: $machine; runner: $runner; $($runner "$cairn" --version)"
  export CAIRN_RUNNER=$runner
  t1=$(now)
  step unit sh -c "cd '$dir' && CAIRN_TEST_CC='$triple-gcc' ctest -R '^unit/test_' -j '$jobs' --output-on-failure"
  step spec-core tests/spec/run-spec.sh "$cairn" "$shared/wasm-testsuite/wasm-2.0" core -j "$jobs"
  step spec-simd tests/spec/run-spec.sh "$cairn" "$shared/wasm-testsuite/wasm-2.0" simd -j "$jobs"
  step wast $runner "$cairn" wast tests/wast/*.wast
  step wasi-progs tests/wasi/run-programs.sh "$cairn"
  step wasi-suite tests/wasi/run-wasi-tests.sh "$cairn" "$shared/wasi-testsuite"
  pre="$host_cairn compile --target $triple -O2"
  step wasi-progs-aot env CAIRN_PRECOMPILE="$pre" tests/wasi/run-programs.sh "$cairn"
  step wasi-suite-aot env CAIRN_PRECOMPILE="$pre" tests/wasi/run-wasi-tests.sh "$cairn" \
    "$shared/wasi-testsuite"
  step wast-aot $runner "$cairn" wast --aot -O1 --cc "$triple-gcc" tests/wast/*.wast
  step spec-aot env CAIRN_WAST_OPTS="--aot -O1 --cc $triple-gcc" \
    tests/spec/run-spec.sh "$cairn" "$shared/wasm-testsuite/wasm-2.0" all -j "$jobs"
  unset CAIRN_RUNNER
  tt=$(( $(now) - t1 ))
  row="| $triple |"
  for c in "${cells[@]}"; do row+=" $c |"; done
  rows+=("$row ${tb} s | ${tt} s |")
done

echo
echo "## make test-cross: passed/failed per step ($(( $(now) - t_all )) s in all, JOBS=$jobs)"
echo
echo "| target | unit | spec core | spec simd | tests/wast | WASI programs | WASI suite | WASI programs .cwasm | WASI suite .cwasm | tests/wast --aot | spec --aot | build | tests |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---:|---:|"
printf '%s\n' "${rows[@]}"
if [ "$failed" -ne 0 ]; then echo "test-cross: FAIL"; exit 1; fi
if [ "$skipped" -ne 0 ]; then echo "test-cross: some targets or steps were skipped"; exit 77; fi
echo "test-cross: ok"
