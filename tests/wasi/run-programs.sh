#!/usr/bin/env bash
# run-programs.sh CAIRN
# Builds our own WASI test programs (tests/wasi/programs/*.c) with
# `clang --target=wasm32-wasi` (override with WASI_CC) and runs each through
# `CAIRN run`, comparing stdout with programs/NAME.expected. Programs whose
# behaviour is the same natively (hello, fileio, manyfds, poll_timeout) are
# also built with the host cc and must print the same. sandbox checks escape
# attempts (.., absolute paths, symlinks out, symlink loops, hard links);
# echo_server is served through --tcplisten to a bash /dev/tcp client.
# Prints PASS/FAIL per check and `wasi-programs: N passed, N failed` last.
set -u
CAIRN=${1:?usage: run-programs.sh CAIRN}
CAIRN=$(cd "$(dirname "$CAIRN")" && pwd)/$(basename "$CAIRN")
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$HERE/programs
WASI_CC=${WASI_CC:-clang}
HOST_CC=${HOST_CC:-cc}
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
  echo "SKIP: no wasm32-wasi toolchain ($WASI_CC; install wasi-libc lld-14 libclang-rt-14-dev-wasm32)"
  echo "wasi-programs: 0 passed, 0 failed"
  exit 0
fi
for c in "$SRC"/*.c; do
  n=$(basename "$c" .c)
  "$WASI_CC" --target=wasm32-wasi -O2 -Wall -Wextra -Werror "$c" -o "$work/$n.wasm" 2>"$work/cc.err" \
    || bad "compile $n" "$work/cc.err"
done

run() { # NAME [cairn options...] -- [program args...]
  local name=$1; shift
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done; shift
  timeout 60 "$CAIRN" run "${opts[@]}" "$work/$name.wasm" "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err"
  local code=$?
  if [ $code -ne 0 ]; then echo "exit $code" >>"$work/$name.out"; fi
  check "$name" "$work/$name.out"
}

mkdir -p "$work/box"
run hello --env GREETING=hi -- one "two words"
run fileio --dir "$work/box::/box" -- /box
run manyfds --dir "$work/box::/box" -- /box
run poll_timeout --
# Same output natively.
if command -v "$HOST_CC" >/dev/null; then
  for n in hello fileio manyfds poll_timeout; do
    "$HOST_CC" -O2 "$SRC/$n.c" -o "$work/$n.native" || { bad "native build $n"; continue; }
  done
  mkdir -p "$work/nbox"
  ( cd "$work" && GREETING=hi ./hello.native one "two words" >hello.nout &&
    ./fileio.native "$work/nbox" >fileio.nout && ./manyfds.native "$work/nbox" >manyfds.nout &&
    ./poll_timeout.native >poll_timeout.nout )
  for n in hello fileio manyfds poll_timeout; do
    if cmp -s "$work/$n.nout" "$work/$n.out"; then ok "$n same as native"; else bad "$n same as native"; fi
  done
fi

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

# Echo server through --tcplisten with a client here.
port=$((20000 + RANDOM % 20000))
timeout 30 "$CAIRN" run --tcplisten "127.0.0.1:$port" "$work/echo_server.wasm" \
  </dev/null >"$work/echo_server.out" 2>"$work/echo_server.err" &
server_pid=$!
reply=""
for _ in $(seq 1 100); do
  if exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
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
