#!/usr/bin/env bash
# run-programs.sh CAIRN
# Builds our own WASI test programs (tests/wasi/programs/*.c) with
# `clang --target=wasm32-wasi` (override with WASI_CC) and runs each through
# `CAIRN run`, comparing stdout (plus "exit N" for a non-zero status) with
# programs/NAME.expected. Programs whose behaviour is the same natively (hello,
# fileio, manyfds, poll_timeout, exit_code) are also built with the host gcc
# (HOST_CC) and must print the same and exit the same. sandbox checks escape
# attempts (.., absolute paths, symlinks out, symlink loops, hard links);
# echo_server is served through --tcplisten to a bash /dev/tcp client; trap
# checks the trap status (134) and the backtrace on stderr; reactor is built
# with -mexec-model=reactor and run with --invoke after its _initialize;
# simd_vec is built with -msimd128 so its loops run as v128 code; sleep
# checks that --timeout stops a guest blocked in sleep() or a read.
# Without a wasm32-wasi toolchain the script skips (exit 77: ctest "Skipped"), except under CI
# (CI=true), where that is a failure: scripts/install-deps.sh installs it.
# CAIRN_WRAP, a program that runs its arguments (e.g. tests/wasi/no_openat2),
# is put in front of every `CAIRN run`; CAIRN_RUNNER, a command prefix split
# at spaces (e.g. "qemu-aarch64" for a cross-built CAIRN:
# tests/cross/run-cross.sh), in front of every CAIRN command.
# CAIRN_RUN_OPTS (words, e.g. --aot) follow `run`.
# Prints PASS/FAIL per check and `wasi-programs: N passed, N failed` last.
set -u
CAIRN=${1:?usage: run-programs.sh CAIRN}
CAIRN=$(cd "$(dirname "$CAIRN")" && pwd)/$(basename "$CAIRN")
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$HERE/programs
WASI_CC=${WASI_CC:-clang}
HOST_CC=${HOST_CC:-gcc}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-wprog.XXXXXX")
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | head -20; fail=$((fail + 1)); }
check() { # NAME OUTPUT_FILE
  if cmp -s "$2" "$SRC/$1.expected"; then ok "$1"; else
    diff "$SRC/$1.expected" "$2" >"$work/diff" 2>&1; bad "$1" "$work/diff"; fi
}

if ! "$WASI_CC" --target=wasm32-wasi -O2 "$SRC/hello.c" -o "$work/probe.wasm" 2>"$work/cc.err"; then
  sed 's/^/    /' "$work/cc.err" | head -5
  if [ "${CI:-}" = true ]; then
    echo "FAIL: no wasm32-wasi toolchain ($WASI_CC; scripts/install-deps.sh installs wasi-libc lld-14 libclang-rt-14-dev-wasm32)"
    echo "wasi-programs: 0 passed, 1 failed"
    exit 1
  fi
  echo "SKIP: no wasm32-wasi toolchain ($WASI_CC; install wasi-libc lld-14 libclang-rt-14-dev-wasm32)"
  echo "wasi-programs: 0 passed, 0 failed"
  exit 77   # ctest: Skipped (SKIP_RETURN_CODE), not Passed
fi
for c in "$SRC"/*.c; do
  n=$(basename "$c" .c)
  extra=(); link=()
  [ "$n" = reactor ] && link=(-mexec-model=reactor)
  [ "$n" = simd_vec ] && extra=(-msimd128)   # loops vectorised to v128 code
  # Linked without -O: clang 14 then runs binaryen's wasm-opt when one is on
  # PATH, which drops the name section the backtrace check reads.
  { "$WASI_CC" --target=wasm32-wasi -O2 -Wall -Wextra -Werror "${extra[@]}" -c "$c" -o "$work/$n.o" &&
    "$WASI_CC" --target=wasm32-wasi "${link[@]}" "$work/$n.o" -o "$work/$n.wasm"; } \
    2>"$work/cc.err" || bad "compile $n" "$work/cc.err"
done
# CAIRN_PRECOMPILE, a command such as "build/cairn compile --target
# aarch64-linux-gnu": every program is compiled with it to native code and
# the .cwasm runs in its place (under its .wasm name: cairn knows a .cwasm
# by its header).
# With CAIRN_RUN_OPTS (--aot), compile every program into the cache first:
# the timing checks below measure the run, not the compiler.
if [ -n "${CAIRN_RUN_OPTS:-}" ]; then
  for w in "$work"/*.wasm; do
    ${CAIRN_RUNNER:-} "$CAIRN" run $CAIRN_RUN_OPTS --invoke __cairn_warm_up__ "$w" >/dev/null 2>&1
  done
fi
if [ -n "${CAIRN_PRECOMPILE:-}" ]; then
  for w in "$work"/*.wasm; do
    [ "$(basename "$w")" = probe.wasm ] && continue
    cp "$w" "$w.orig"
    if $CAIRN_PRECOMPILE "$w" -o "$w.cwasm" 2>"$work/cc.err"; then mv "$w.cwasm" "$w"; else
      bad "precompile $(basename "$w")" "$work/cc.err"; fi
  done
fi

run() { # NAME [cairn options...] -- [program args...]   (stdin from $work/NAME.in if any)
  local name=$1; shift
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done; shift
  local in=/dev/null
  [ -f "$work/$name.in" ] && in=$work/$name.in
  timeout 60 ${CAIRN_WRAP:+"$CAIRN_WRAP"} ${CAIRN_RUNNER:-} "$CAIRN" run ${CAIRN_RUN_OPTS:-} "${opts[@]}" "$work/$name.wasm" "$@" <"$in" >"$work/$name.out" 2>"$work/$name.err"
  local code=$?
  if [ $code -ne 0 ]; then echo "exit $code" >>"$work/$name.out"; fi
  check "$name" "$work/$name.out"
}

mkdir -p "$work/box"
run hello --env GREETING=hi -- one "two words"
run fileio --dir "$work/box::/box" -- /box
run manyfds --dir "$work/box::/box" -- /box
run poll_timeout --
printf 'Some input\nover two lines\n' >"$work/exit_code.in"
run exit_code --
run simd_vec --
if ${CAIRN_RUNNER:-} "$CAIRN" inspect "$work/simd_vec.wasm" | grep -q "uses SIMD"; then ok "simd_vec is vectorised"; else
  bad "simd_vec is vectorised"; fi

# Same output (and exit status) natively.
if [ "${CI:-}" = true ] || command -v "$HOST_CC" >/dev/null; then
  for n in hello fileio manyfds poll_timeout exit_code simd_vec; do
    "$HOST_CC" -O2 "$SRC/$n.c" -o "$work/$n.native" || { bad "native build $n"; continue; }
  done
  mkdir -p "$work/nbox"
  native() { # NAME CMD...: runs natively into NAME.nout, "exit N" appended like run()
    local name=$1; shift
    local in=/dev/null
    [ -f "$work/$name.in" ] && in=$work/$name.in
    (cd "$work" && "$@" <"$in" >"$work/$name.nout" 2>/dev/null)
    local code=$?
    if [ $code -ne 0 ]; then echo "exit $code" >>"$work/$name.nout"; fi
  }
  native hello env GREETING=hi ./hello.native one "two words"
  native fileio ./fileio.native "$work/nbox"
  native manyfds ./manyfds.native "$work/nbox"
  native poll_timeout ./poll_timeout.native
  native exit_code ./exit_code.native
  native simd_vec ./simd_vec.native
  for n in hello fileio manyfds poll_timeout exit_code simd_vec; do
    if cmp -s "$work/$n.nout" "$work/$n.out"; then ok "$n same as native"; else
      diff "$work/$n.nout" "$work/$n.out" >"$work/diff" 2>&1; bad "$n same as native" "$work/diff"; fi
  done
else
  echo "SKIP: the comparison with native builds: no host C compiler ($HOST_CC)"
fi

# A trap: message and Wasm backtrace on stderr, exit status 134.
run trap --
if grep -q "^error: wasm trap: unreachable" "$work/trap.err" && grep -q "at func\[[0-9]*\] inner" "$work/trap.err" &&
   grep -q "at func\[[0-9]*\] main" "$work/trap.err"; then
  ok "trap backtrace"
else
  bad "trap backtrace" "$work/trap.err"
fi

# A reactor: _initialize runs first, then the invoked export.
run reactor --invoke scale -- 7

# Sandbox: a preopen with links that point out of it.
sb=$work/sb
mkdir -p "$sb/box/sub"
echo outside >"$sb/outside.txt"
echo "inside ok" >"$sb/box/sub/inside.txt"
( cd "$sb/box" && ln -s ../outside.txt esc && ln -s /etc/passwd abs &&
  ln -s sub/../../outside.txt chain && ln -s .. escdir && ln -s loop2 loop1 && ln -s loop1 loop2 )
run sandbox --dir "$sb/box::/box" -- /box
if [ "$(cat "$sb/outside.txt")" = outside ] && [ ! -e "$sb/x" ] && [ ! -e "$sb/box/sub/../../hard2" ]; then
  ok "sandbox: outside untouched"
else
  bad "sandbox: outside untouched"
fi

# --timeout cuts a guest that sleeps (poll_oneoff) or blocks reading a pipe
# that never ends: exit 134 ("interrupted") soon after the deadline, not 100 s
# later. A guest that ends in time is not affected.
# Under an emulator (CAIRN_RUNNER: qemu-user) on a loaded machine, starting
# cairn alone can take longer than 300 ms, and the guest must print "waiting"
# before its deadline: the deadline is 3 s there.
ms_now() { date +%s%3N; }
tmo=300
[ -n "${CAIRN_RUNNER:-}" ] && tmo=3000
t0=$(ms_now)
run sleep --timeout $tmo -- 100
dt=$(( $(ms_now) - t0 ))
if [ "$dt" -lt $((tmo + 2700)) ] && grep -q "^error: wasm trap: interrupted" "$work/sleep.err"; then
  ok "sleep(100) with --timeout $tmo stopped after $dt ms"
else
  bad "sleep(100) with --timeout $tmo stopped after $dt ms" "$work/sleep.err"
fi
mkfifo "$work/never"
exec 4<>"$work/never"     # a pipe with a writer that never writes
t0=$(ms_now)
timeout 60 ${CAIRN_WRAP:+"$CAIRN_WRAP"} ${CAIRN_RUNNER:-} "$CAIRN" run ${CAIRN_RUN_OPTS:-} --timeout $tmo "$work/sleep.wasm" read <&4 \
  >"$work/sleep-read.out" 2>"$work/sleep-read.err"
code=$?
dt=$(( $(ms_now) - t0 ))
exec 4<&-
if [ "$code" = 134 ] && [ "$dt" -lt $((tmo + 2700)) ] && grep -q "^error: wasm trap: interrupted" "$work/sleep-read.err"; then
  ok "blocked stdin read with --timeout $tmo stopped after $dt ms"
else
  bad "blocked stdin read with --timeout $tmo stopped (status $code after $dt ms)" "$work/sleep-read.err"
fi
if out=$(timeout 60 ${CAIRN_WRAP:+"$CAIRN_WRAP"} ${CAIRN_RUNNER:-} "$CAIRN" run ${CAIRN_RUN_OPTS:-} --timeout 5000 "$work/sleep.wasm" 0 </dev/null) &&
   [ "$out" = "$(printf 'waiting\ndone')" ]; then
  ok "--timeout leaves a program that ends in time alone"
else
  bad "--timeout leaves a program that ends in time alone"
fi

# Echo server through --tcplisten with a client here.
port=$((20000 + RANDOM % 20000))
timeout 30 ${CAIRN_WRAP:+"$CAIRN_WRAP"} ${CAIRN_RUNNER:-} "$CAIRN" run ${CAIRN_RUN_OPTS:-} --tcplisten "127.0.0.1:$port" "$work/echo_server.wasm" \
  </dev/null >"$work/echo_server.out" 2>"$work/echo_server.err" &
server_pid=$!
reply=""
for _ in $(seq 1 100); do
  if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
    printf 'ping\n' >&3
    IFS= read -r -t 10 reply <&3
    exec 3<&- 3>&-
    break
  fi
  sleep 0.05
done
wait "$server_pid"
server_pid=
echo "client got: $reply" >>"$work/echo_server.out"
check echo_server "$work/echo_server.out"

echo "wasi-programs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
